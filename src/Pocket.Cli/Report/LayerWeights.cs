using Pocket.Format;
using Pocket.Training.Checkpoints;

namespace Pocket.Cli.Report;

/// <summary>
/// What the report knows about one compressible layer (a ".weight" tensor of rank ≥ 2): the tensor as the file
/// stores it, its section report, and — when a "before" checkpoint is given — the dense weights it started from.
/// </summary>
/// <param name="Tensor">The tensor as stored in the .pocket file.</param>
/// <param name="Section">Its coded sizes from <see cref="PocketFile.Inspect(string)"/>.</param>
/// <param name="Before">All weights of the layer in the before checkpoint, or null without one.</param>
/// <param name="QuantizationBits">Bits the quantizer was given for the layer (file metadata "bits"), or null if unknown.</param>
public sealed record LayerWeights(PocketTensor Tensor, TensorReport Section, float[]? Before, int? QuantizationBits)
{
    public string Name => Tensor.Name;

    /// <summary>True when the layer has a codebook: the centroid and Huffman plots apply.</summary>
    public bool IsQuantized => Tensor is QuantizedDenseTensor or SparseQuantizedTensor;

    /// <summary>The non-zero values the file decodes to (after pruning and quantization).</summary>
    public float[] NonZeroAfter() => Tensor switch
    {
        SparseQuantizedTensor s => s.Codes.Select(c => s.Codebook[c]).ToArray(),
        _ => Tensor.ToDense().Where(v => v != 0).ToArray(),
    };

    /// <summary>
    /// The weights k-means clustered: the before weights at the positions pruning kept (what the quantizer saw,
    /// up to retraining), or without a before checkpoint the file's own non-zero values.
    /// </summary>
    public float[] ClusteredWeights()
    {
        if (Before is null) return NonZeroAfter();
        return Tensor switch
        {
            SparseQuantizedTensor s => s.Positions.Select(p => Before[p]).ToArray(),
            _ => Before.Where(v => v != 0).ToArray(),
        };
    }

    /// <summary>
    /// Centroids k-means started with for the file's layer: the quantizer asks for 2^bits clusters, one fewer when
    /// the layer is pruned since code 0 is the sparse filler (QuantizationRun.Quantize). Without the bits, the
    /// codebook size is the best guess.
    /// </summary>
    public int ClusterCount => (Tensor, QuantizationBits) switch
    {
        (SparseQuantizedTensor, int b) => Math.Max(1, (1 << b) - 1),
        (QuantizedDenseTensor, int b) => 1 << b,
        (SparseQuantizedTensor s, null) => s.Codebook.Length,
        (QuantizedDenseTensor q, null) => q.Codebook.Length,
        _ => 0,
    };

    public float[] Codebook => Tensor switch
    {
        SparseQuantizedTensor s => s.Codebook,
        QuantizedDenseTensor q => q.Codebook,
        _ => [],
    };

    /// <summary>The compressible layers of a file, in file order, with the before weights when a checkpoint is given.</summary>
    public static IReadOnlyList<LayerWeights> Of(PocketModel model, PocketFileReport report, Checkpoint? before)
    {
        var bits = ParseBits(model.Metadata.GetValueOrDefault("bits"));
        var layers = new List<LayerWeights>();
        foreach (var section in report.Tensors)
        {
            if (!section.Name.EndsWith(".weight", StringComparison.Ordinal) || section.Shape.Length < 2) continue;
            var tensor = model.Tensors[section.Name];
            float[]? weights = null;
            if (before is not null)
            {
                if (!before.State.TryGetValue(section.Name, out var stored))
                    throw new InputException($"--before: the checkpoint has no tensor '{section.Name}' (is it the same model as the .pocket file?)");
                if (stored.ElementCount != section.ElementCount || stored.DType != "f32")
                    throw new InputException($"--before: '{section.Name}' has {stored.ElementCount} {stored.DType} values in the checkpoint, {section.ElementCount} in the .pocket file");
                weights = stored.AsFloats();
            }
            string layer = section.Name[..^".weight".Length];
            layers.Add(new LayerWeights(tensor, section, weights, bits.TryGetValue(layer, out int b) ? b : null));
        }
        return layers;
    }

    /// <summary>Parses "fc1=5,fc2=5" as written by QuantizationRun into the checkpoint (and so into the file's metadata).</summary>
    private static Dictionary<string, int> ParseBits(string? spec)
    {
        var bits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq > 0 && int.TryParse(part[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture, out int b) && b is > 0 and <= 16)
                bits[part[..eq]] = b;
        }
        return bits;
    }
}
