using System.Globalization;
using System.Text.Json;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;

namespace Pocket.Training.Compression;

/// <summary>
/// Turns a checkpoint into a <see cref="PocketModel"/>: the graph exported by the model, each compressible weight
/// in the smallest encoding its compression allows (binary, sparse + codebook, dense + codebook, or float), and
/// every other tensor (biases, BatchNorm in its inference form) as float32. The metadata carries the model's name, options, input
/// shape, dataset and (for a bundled dataset) class labels, so `pocket eval` can rebuild the TorchSharp network from the file alone.
/// </summary>
public static class PocketEncoder
{
    /// <param name="IndexBits">Relative-index width: a fixed b for every sparse layer, or null to pick per layer the b that makes the smallest section.</param>
    /// <param name="BiasBits">If set, Linear and Conv2d biases are stored as a 2^b-entry codebook (<see cref="BiasQuantizer"/>) rather than float32.</param>
    /// <param name="FoldBatchNorm">When encoding a checkpoint, store each BatchNorm2d in its inference form, mean 0 and var 1 (<see cref="BatchNormStatistics"/>): half the bytes, the same outputs to float32 rounding.</param>
    /// <param name="BatchNormBits">If set, BatchNorm2d's γ and β are stored as a 2^b-entry codebook too (lossy).</param>
    public sealed record Options(int? IndexBits = null, PocketWriteOptions? Write = null, int? BiasBits = null, bool FoldBatchNorm = true, int? BatchNormBits = null);

    public static PocketModel Encode(Checkpoint checkpoint, Options? options = null)
    {
        options ??= new Options();
        using var model = ModuleState.Restore(checkpoint);
        var graph = model.ExportGraph();
        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        foreach (var (name, stored) in checkpoint.State)
        {
            if (stored.DType != "f32") continue; // counters such as BatchNorm's num_batches_tracked are not needed for inference
            int[] shape = stored.Shape.Select(d => (int)d).ToArray();
            float[] values = stored.AsFloats();
            tensors[name] = EncodeTensor(name, shape, values, checkpoint, options);
        }
        var referenced = graph.Nodes.SelectMany(n => n.Tensors).Where(t => t.Length > 0).ToHashSet();
        foreach (var name in tensors.Keys.Where(k => !referenced.Contains(k)).ToList()) tensors.Remove(name);
        return Finish(new PocketModel(graph, tensors, Metadata(checkpoint)), options, options.FoldBatchNorm);
    }

    /// <summary>
    /// A model read from a .pocket file, encoded again with these options: the same weights, codebooks and
    /// positions (lossless: BatchNorm is not folded again), each sparse layer's index width chosen again for this writer
    /// (or set to <see cref="Options.IndexBits"/>), and the biases and BatchNorm quantized if the options say so.
    /// </summary>
    public static PocketModel Reencode(PocketModel model, Options? options = null)
    {
        options ??= new Options();
        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.Tensors)
            tensors[name] = tensor is SparseQuantizedTensor sparse
                ? options.IndexBits is { } b ? sparse with { IndexBits = b } : SmallestIndexWidth(sparse, options.Write)
                : tensor;
        return Finish(model with { Tensors = tensors }, options, fold: false);
    }

    /// <summary>The float32 tensors besides the weights: BatchNorm folded, biases and BatchNorm quantized, as the options say.</summary>
    private static PocketModel Finish(PocketModel model, Options options, bool fold)
    {
        if (fold) model = BatchNormStatistics.Fold(model);
        if (options.BatchNormBits is { } bnBits) model = BatchNormStatistics.QuantizeAffine(model, bnBits);
        return options.BiasBits is { } bits ? BiasQuantizer.Quantize(model, bits) : model;
    }

    public static Dictionary<string, string> Metadata(Checkpoint checkpoint)
    {
        var meta = new Dictionary<string, string>(checkpoint.Metadata)
        {
            [ModelMetadata.Model] = checkpoint.Model.Name,
            ["model.options"] = JsonSerializer.Serialize(checkpoint.Model.Options),
            [ModelMetadata.Input] = checkpoint.Input.ToString(),
            [ModelMetadata.Classes] = checkpoint.Classes.ToString(CultureInfo.InvariantCulture),
        };
        // An imported model may name no dataset: the key is left out rather than written empty.
        if (checkpoint.Dataset.Length > 0) meta[ModelMetadata.Dataset] = checkpoint.Dataset;
        // Class names travel with the file, so a page or app can show them without knowing the dataset. Names the
        // checkpoint already has (an imported model's --labels) are the model's own and stay.
        if (!meta.ContainsKey(ModelMetadata.Labels) && DatasetLabels.For(checkpoint.Dataset) is { } labels && labels.Count == checkpoint.Classes)
            meta[ModelMetadata.Labels] = ModelMetadata.EncodeLabels(labels);
        return meta;
    }

    private static PocketTensor EncodeTensor(string name, int[] shape, float[] values, Checkpoint checkpoint, Options options)
    {
        if (checkpoint.Binarization.TryGetValue(name, out var scales))
        {
            var bits = new byte[(values.Length + 7) / 8];
            for (int i = 0; i < values.Length; i++) if (values[i] >= 0) bits[i >> 3] |= (byte)(1 << (i & 7));
            return new BinaryTensor(name, shape, scales, bits);
        }
        if (!checkpoint.Quantization.TryGetValue(name, out var q)) return new DenseTensor(name, shape, values);

        var mask = checkpoint.Masks.GetValueOrDefault(name);
        bool sparse = mask is not null && mask.Any(b => b == 0);
        if (!sparse) return new QuantizedDenseTensor(name, shape, q.Codebook, q.Codes);

        var positions = new List<int>();
        var codes = new List<ushort>();
        for (int i = 0; i < values.Length; i++)
            if (mask![i] != 0) { positions.Add(i); codes.Add(q.Codes[i]); }
        var candidate = new SparseQuantizedTensor(name, shape, q.Codebook, positions.ToArray(), codes.ToArray(), options.IndexBits ?? 8);
        return options.IndexBits is null ? SmallestIndexWidth(candidate, options.Write) : candidate;
    }

    /// <summary>Tries every relative-index width and keeps the one whose coded section is smallest.</summary>
    public static SparseQuantizedTensor SmallestIndexWidth(SparseQuantizedTensor tensor, PocketWriteOptions? write = null)
    {
        SparseQuantizedTensor best = tensor;
        long bestBytes = long.MaxValue;
        for (int b = 2; b <= 12; b++)
        {
            var t = tensor with { IndexBits = b };
            long bytes = SectionBytes(t, write);
            if (bytes < bestBytes) { best = t; bestBytes = bytes; }
        }
        return best;
    }

    /// <summary>Bytes a tensor's section takes when encoded alone.</summary>
    public static long SectionBytes(PocketTensor tensor, PocketWriteOptions? write = null)
    {
        var graph = new ModelGraph([GraphNode.Create("input", OpKind.Input, [], [1, 1, 1]), GraphNode.Create("t", OpKind.Flatten, [0], null, [tensor.Name])]);
        var single = new PocketModel(graph, new Dictionary<string, PocketTensor> { [tensor.Name] = tensor }, new Dictionary<string, string>());
        var report = PocketFile.Inspect(PocketFile.Encode(single, write));
        return report.Tensors[0].SectionBytes;
    }
}
