using System.Diagnostics;
using System.Globalization;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using static TorchSharp.torch;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// SEP-Nets' pattern binarization (Li et al. 2017, Section 3.1) of a trained checkpoint: every k×k conv filter
/// (k &gt; 1) becomes α·sign(W) with α = mean |W|, 1×1 convs and fc layers stay float, then the network is
/// fine-tuned (<see cref="BinarizationMode"/>). The output checkpoint holds the binarized weights, exactly ±α per
/// filter, with α in <see cref="Checkpoint.Binarization"/>, which the .pocket encoder stores at 1 bit per weight.
/// </summary>
public static class BinarizationRun
{
    public sealed record LayerBinarization(string Layer, long[] Shape, long Weights);

    /// <param name="Float">The input checkpoint's accuracy.</param>
    /// <param name="Binarized">Right after binarization, before any fine-tuning.</param>
    /// <param name="Test">After fine-tuning (the same as <paramref name="Binarized"/> with 0 epochs).</param>
    public sealed record Result(Checkpoint Checkpoint, IReadOnlyList<LayerBinarization> Layers, Evaluation Float, Evaluation Binarized,
        Evaluation Test, TimeSpan WallTime);

    public static Result Run(Checkpoint input, DatasetSplit data, BinarizationOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        if (input.Quantization.Count > 0)
            throw new ArgumentException("the checkpoint is already quantized; binarize first, then prune or quantize the float layers");
        var clock = Stopwatch.StartNew();
        using var model = ModuleState.Restore(input);
        var floatTest = Evaluator.Evaluate(model, data.Test, model.InputShape);

        using var frozen = new FrozenBinaryConstraint();
        using var straightThrough = new StraightThroughConstraint();
        using var pruned = new PruningMaskConstraint();
        var layers = new List<LayerBinarization>();
        var weights = model.CompressibleWeights().ToList();
        var candidates = weights.Where(w => FilterBinarization.Selects(w.Weight.shape, options.IncludePointwise)).Select(w => PocketModule.LayerName(w.Name)).ToList();
        var unknown = options.KeepFloat.Where(l => !candidates.Contains(l)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--keep-float: {string.Join(", ", unknown)} is not a conv {input.Model} would binarize " +
                $"({string.Join(", ", candidates.Take(4))}{(candidates.Count > 4 ? ", …" : "")})");
        foreach (var (name, weight) in weights)
        {
            if (FilterBinarization.Selects(weight.shape, options.IncludePointwise) && !options.KeepFloat.Contains(PocketModule.LayerName(name)))
            {
                // A binary filter has no zeros: a pruning mask on it no longer applies.
                if (options.Mode == BinarizationMode.Frozen) frozen.Add(name, weight);
                else straightThrough.Add(name, weight);
                layers.Add(new LayerBinarization(PocketModule.LayerName(name), weight.shape, weight.numel()));
            }
            else if (input.Masks.TryGetValue(name, out var mask))
            {
                using var maskTensor = tensor(mask, weight.shape);
                pruned.Add(weight, maskTensor); // a float layer that was pruned stays pruned while it fine-tunes
            }
        }
        if (layers.Count == 0) throw new ArgumentException($"{input.Model} has no conv with a kernel larger than 1×1 to binarize");
        IWeightConstraint binary = options.Mode == BinarizationMode.Frozen ? frozen : straightThrough;

        binary.AfterStep(); // weights := α·sign(W)
        var binarizedTest = Evaluator.Evaluate(model, data.Test, model.InputShape);
        var test = binarizedTest;
        if (options.FineTune.Epochs > 0)
        {
            var train = options.TrainLimit is int n ? data.Train.Take(n) : data.Train;
            Trainer.Train(model, train, options.FineTune, [binary, pruned], data.Test, progress, cancel);
            test = Evaluator.Evaluate(model, data.Test, model.InputShape);
        }

        var checkpoint = ModuleState.Capture(model, input.Dataset, input.Metadata);
        var binarized = layers.Select(l => l.Layer + ".weight").ToHashSet(StringComparer.Ordinal);
        foreach (var (name, mask) in input.Masks.Where(kv => !binarized.Contains(kv.Key))) checkpoint.Masks[name] = mask;
        foreach (var name in binarized)
            checkpoint.Binarization[name] = options.Mode == BinarizationMode.Frozen ? frozen.Scales(name) : straightThrough.Scales(name);
        checkpoint.Metadata["stage"] = "binarized";
        checkpoint.Metadata["binarization"] = options.Mode.ToString().ToLowerInvariant() + (options.IncludePointwise ? ",include-1x1" : "") +
            (options.KeepFloat.Count > 0 ? ",float:" + string.Join('+', options.KeepFloat.Order(StringComparer.Ordinal)) : "");
        checkpoint.Metadata["test_error"] = test.Error.ToString("R", CultureInfo.InvariantCulture);
        return new Result(checkpoint, layers, floatTest, binarizedTest, test, clock.Elapsed);
    }
}
