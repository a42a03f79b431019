using System.Diagnostics;
using System.Globalization;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Trained quantization (Han et al. 2016, Section 3): per layer, k-means over the surviving (non-zero) weights
/// with k = 2^bits, every weight replaced by its centroid, then the centroids fine-tuned by the summed
/// gradients of their weights. Pruned weights stay pruned: zero is not a cluster and costs no code.
/// </summary>
public static class QuantizationRun
{
    public sealed record LayerQuantization(string Layer, int Bits, int Clusters, long Weights, long NonZero, int KMeansIterations, double KMeansMilliseconds);

    public sealed record Result(Checkpoint Checkpoint, IReadOnlyList<LayerQuantization> Layers, Evaluation Test, TimeSpan WallTime);

    /// <param name="journal">
    /// If set, progress (weights, centroids and their velocities, optimizer state) is written to the journal's
    /// "quantize" stage after every fine-tuning epoch, and the result when done. k-means is deterministic for a
    /// seed, so a resumed run redoes it and then takes the saved centroids.
    /// </param>
    public static Result Run(Checkpoint input, DatasetSplit data, QuantizationOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default, RunJournal? journal = null)
    {
        var clock = Stopwatch.StartNew();
        var train = options.TrainLimit is int n ? data.Train.Take(n) : data.Train;
        string settings = $"quantize {RunJournal.Fingerprint(input)} on {data.Name} ({train.Count} images), bits {options.Bits}, " +
            $"init {options.Initialization}, {options.FineTune}";
        var saved = journal?.Load(Stage, settings);
        using var model = ModuleState.Restore(input);
        var layers = new List<LayerQuantization>();
        using var constraint = new SharedWeightConstraint(options.FineTune.LearningRate, options.FineTune.Momentum);
        var codesByWeight = new Dictionary<string, long[]>();

        using var binary = BinarizedLayers.Freeze(model, input);
        foreach (var (name, weight) in BinarizedLayers.NotBinarized(model, input)) // binarized: 1 bit already; a codebook would only cost more
        {
            string layer = PocketModule.LayerName(name);
            int? bits = options.Bits.For(layer, (int)weight.dim());
            if (bits is null) continue;
            float[] values = weight.detach().flatten().data<float>().ToArray();
            byte[] mask = input.Masks.TryGetValue(name, out var m) ? m : values.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
            var kmeansClock = Stopwatch.StartNew();
            var (codebook, codes, iterations) = Quantize(values, mask, bits.Value, options.Initialization, options.FineTune.Seed);
            double kmeansMs = kmeansClock.Elapsed.TotalMilliseconds;
            using var maskTensor = tensor(mask, weight.shape);
            constraint.Add(name, weight, codebook, codes, maskTensor);
            codesByWeight[name] = codes;
            layers.Add(new LayerQuantization(layer, bits.Value, codebook.Length, values.Length, mask.Count(b => b != 0), iterations, kmeansMs));
        }
        if (layers.Count == 0) throw new ArgumentException("--bits: no layer of the model is selected for quantization");

        if (saved is not null)
        {
            // Biases and other trained parameters from the journal; the quantized weights follow from the centroids.
            ModuleState.Load(model, saved.Checkpoint, journal!.PathOf(Stage));
            if (saved.Finished)
                foreach (var (name, q) in saved.Checkpoint.Quantization) constraint.SetCodebook(name, q.Codebook);
            else
                LoadCentroids(constraint, saved.Checkpoint, journal.PathOf(Stage));
        }
        constraint.AfterStep(); // weights := codebook[codes] · mask
        if (options.FineTune.Epochs > 0 && saved is not { Finished: true })
        {
            var checkpointing = journal?.Checkpointing(Stage, settings, 1, saved, () =>
            {
                var partial = ModuleState.Capture(model, input.Dataset, input.Metadata);
                using var centroids = new MemoryStream();
                using (var writer = new BinaryWriter(centroids, System.Text.Encoding.UTF8, leaveOpen: true)) constraint.SaveState(writer);
                partial.Extra["centroids"] = CheckpointTensor.FromBytes(centroids.ToArray(), [centroids.Length]);
                return partial;
            });
            // The teacher is the unquantized input: fine-tuning the centroids pulls the network back toward what it was.
            using var teacher = SoftTargets.For(input, train, options.FineTune);
            Trainer.Train(model, train, options.FineTune, [constraint, binary], data.Test, progress, cancel, checkpointing, teacher);
        }

        var evaluation = Evaluator.Evaluate(model, data.Test, model.InputShape);
        var checkpoint = ModuleState.Capture(model, input.Dataset, input.Metadata);
        foreach (var (name, mask) in input.Masks) checkpoint.Masks[name] = mask;
        foreach (var (name, alpha) in input.Binarization) checkpoint.Binarization[name] = alpha;
        foreach (var (name, codes) in codesByWeight)
        {
            var mask = input.Masks.GetValueOrDefault(name);
            var stored = new ushort[codes.Length];
            for (int i = 0; i < codes.Length; i++) stored[i] = mask is null || mask[i] != 0 ? (ushort)codes[i] : (ushort)0;
            checkpoint.Quantization[name] = new QuantizedWeight(constraint.Codebook(name), stored);
            if (mask is null)
            {
                // Without a pruning mask, exact zeros still mark weights outside every cluster; record them as a mask.
                checkpoint.Masks[name] = checkpoint.State[name].AsFloats().Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
            }
        }
        checkpoint.Metadata["stage"] = "quantized";
        checkpoint.Metadata["bits"] = string.Join(',', layers.Select(l => $"{l.Layer}={l.Bits}"));
        checkpoint.Metadata["test_error"] = evaluation.Error.ToString("R", CultureInfo.InvariantCulture);
        journal?.SaveFinished(Stage, settings, checkpoint);
        return new Result(checkpoint, layers, evaluation, clock.Elapsed);
    }

    /// <summary>The run's stage name in a <see cref="RunJournal"/>.</summary>
    public const string Stage = "quantize";

    private static void LoadCentroids(SharedWeightConstraint constraint, Checkpoint saved, string path)
    {
        if (!saved.Extra.TryGetValue("centroids", out var state)) throw new CheckpointException($"{path}: no centroid state to resume from");
        using var reader = new BinaryReader(new MemoryStream(state.AsBytes()));
        try { constraint.LoadState(reader); }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException) { throw new CheckpointException($"{path}: {e.Message}"); }
    }

    /// <summary>k-means over the kept weights; codes index the (ascending) codebook, 0 where pruned.</summary>
    public static (float[] Codebook, long[] Codes, int Iterations) Quantize(float[] values, byte[] mask, int bits, CentroidInitialization init, int seed)
    {
        var kept = new List<float>(values.Length);
        for (int i = 0; i < values.Length; i++) if (mask[i] != 0) kept.Add(values[i]);
        // A pruned layer's codes share their alphabet with the filler entry of the sparse index (docs/format.md),
        // so it gets 2^bits − 1 centroids and its codes still fit in `bits` bits, as in Han et al.
        bool sparse = kept.Count < values.Length;
        int k = sparse ? Math.Max(1, (1 << bits) - 1) : 1 << bits;
        var fit = KMeans1D.Fit(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kept), k, init, seed);
        var codebook = fit.Centroids.Length > 0 ? fit.Centroids : [0f];
        var codes = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
            codes[i] = mask[i] != 0 ? KMeans1D.Nearest(codebook, values[i]) : 0;
        return (codebook, codes, fit.Iterations);
    }
}
