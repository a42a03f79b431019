using System.Diagnostics;
using System.Globalization;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Iterative magnitude pruning with masked retraining (Han et al. 2015, "Learning both Weights and Connections"):
/// for each round, prune every compressible layer toward the round's target, then retrain with the masks held.
/// </summary>
public static class PruningRun
{
    public sealed record RoundReport(int Round, int Rounds, IReadOnlyList<LayerSparsity> Layers, double? TestError);

    public sealed record Result(Checkpoint Checkpoint, IReadOnlyList<LayerSparsity> Layers, Evaluation Test, TimeSpan WallTime);

    /// <param name="journal">
    /// If set, progress (weights, masks, optimizer state, round and epoch) is written to the journal's "prune" stage
    /// after every retraining epoch, and the result when done; a resumed journal continues where it was saved.
    /// </param>
    public static Result Run(Checkpoint input, DatasetSplit data, PruningOptions options,
        Action<TrainingProgress>? progress = null, Action<RoundReport>? roundDone = null, CancellationToken cancel = default,
        RunJournal? journal = null)
    {
        var clock = Stopwatch.StartNew();
        var train = options.TrainLimit is int n ? data.Train.Take(n) : data.Train;
        string settings = $"prune {RunJournal.Fingerprint(input)} on {data.Name} ({train.Count} images), {options.Rule}, " +
            $"{options.Rounds} rounds {options.Schedule}, {options.Retrain}{(options.RemoveDeadTaps ? ", dead taps removed" : "")}";
        var saved = journal?.Load(Stage, settings);
        var start = saved?.Checkpoint ?? input;
        using var model = ModuleState.Restore(start, saved is null ? "checkpoint" : journal!.PathOf(Stage));
        // Binarized filters (SEP-Net) are already 1 bit: they are neither pruned nor allowed to move while the rest retrains.
        var weights = BinarizedLayers.NotBinarized(model, input);
        using var binary = BinarizedLayers.Freeze(model, input);
        var masks = weights.ToDictionary(w => w.Name, w =>
            start.Masks.TryGetValue(w.Name, out var m) ? tensor(m, w.Weight.shape).to_type(ScalarType.Bool) : ones_like(w.Weight, dtype: ScalarType.Bool));
        if (options.RemoveDeadTaps && saved is null)
            foreach (var (name, live) in DeadConvTaps.Masks(model.ExportGraph()))
                if (masks.TryGetValue(name, out var mask))
                    using (var liveMask = tensor(live, mask.shape)) mask.logical_and_(liveMask);

        // A resumed run re-enters the round it was saved in, after the pruning step and the epochs already done.
        int firstRound = saved switch { null => 1, { Finished: true } => options.Rounds + 1, _ => saved.Round };
        // The teacher is the unpruned input, for every round: each round's retraining pulls toward the dense network.
        // Its soft targets are only computed when some round still retrains.
        using var teacher = firstRound <= options.Rounds && options.Retrain.Epochs > 0 ? SoftTargets.For(input, train, options.Retrain) : null;
        for (int round = firstRound; round <= options.Rounds; round++)
        {
            bool resumedRound = saved is { Finished: false } && round == saved.Round;
            if (!resumedRound) PruneRound(weights, masks, options, round);
            using (var constraint = new PruningMaskConstraint())
            {
                foreach (var (name, weight) in weights) constraint.Add(weight, masks[name]);
                var retrain = options.Retrain with { Seed = options.Retrain.Seed + round - 1 };
                if (retrain.Epochs > 0)
                {
                    var checkpointing = journal?.Checkpointing(Stage, settings, round, resumedRound ? saved : null, () => Capture(model, input, masks));
                    Trainer.Train(model, train, retrain, [constraint, binary], data.Test, progress, cancel, checkpointing, teacher);
                }
                else
                {
                    constraint.AfterStep();
                }
            }
            double? error = roundDone is null ? null : Evaluator.Evaluate(model, data.Test, model.InputShape).Error;
            roundDone?.Invoke(new RoundReport(round, options.Rounds, Sparsity(weights, masks), error));
        }

        var evaluation = Evaluator.Evaluate(model, data.Test, model.InputShape);
        var layers = Sparsity(weights, masks);
        var checkpoint = Capture(model, input, masks);
        foreach (var mask in masks.Values) mask.Dispose();
        checkpoint.Metadata["stage"] = "pruned";
        checkpoint.Metadata["pruned_kept"] = LayerSparsity.Total(layers).KeptFraction.ToString("R", CultureInfo.InvariantCulture);
        checkpoint.Metadata["test_error"] = evaluation.Error.ToString("R", CultureInfo.InvariantCulture);
        journal?.SaveFinished(Stage, settings, checkpoint);
        return new Result(checkpoint, layers, evaluation, clock.Elapsed);
    }

    /// <summary>The run's stage name in a <see cref="RunJournal"/>.</summary>
    public const string Stage = "prune";

    /// <summary>The model's weights with the input's metadata and binarization and the current masks.</summary>
    private static Checkpoint Capture(PocketModule model, Checkpoint input, IReadOnlyDictionary<string, Tensor> masks)
    {
        var checkpoint = ModuleState.Capture(model, input.Dataset, input.Metadata);
        foreach (var (name, alpha) in input.Binarization) checkpoint.Binarization[name] = alpha;
        foreach (var (name, mask) in masks)
            checkpoint.Masks[name] = mask.to_type(ScalarType.Byte).flatten().data<byte>().ToArray();
        return checkpoint;
    }

    /// <summary>Per-layer kept counts of the masks.</summary>
    public static IReadOnlyList<LayerSparsity> Sparsity(IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Weight)> weights, IReadOnlyDictionary<string, Tensor> masks) =>
        weights.Select(w => new LayerSparsity(PocketModule.LayerName(w.Name), w.Weight.numel(), masks[w.Name].count_nonzero().item<long>())).ToList();

    private static void PruneRound(IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Weight)> weights,
        Dictionary<string, Tensor> masks, PruningOptions options, int round)
    {
        using var _ = no_grad();
        switch (options.Rule)
        {
            case PruningRule.Quality q:
                // The quality grows to its final value over the rounds, so early rounds prune gently.
                double quality = q.Value * round / options.Rounds;
                foreach (var (name, weight) in weights)
                    Replace(masks, name, MagnitudePruner.MaskAbove(weight, MagnitudePruner.StdThreshold(weight, quality), masks[name]));
                break;
            case PruningRule.PerLayer perLayer:
                perLayer.CheckLayers(weights.Select(w => PocketModule.LayerName(w.Name)).ToList());
                foreach (var (name, weight) in weights)
                {
                    if (perLayer.KeepFor(PocketModule.LayerName(name), (int)weight.dim()) is not double keep) continue;
                    double target = PruningScheduleMath.KeepAt(options.Schedule, keep, round, options.Rounds);
                    Replace(masks, name, MagnitudePruner.MaskKeepFraction(weight, target, masks[name]));
                }
                break;
            case PruningRule.Global global:
                double keepNow = PruningScheduleMath.KeepAt(options.Schedule, global.Keep, round, options.Rounds);
                var masked = weights.Select(w => w.Weight.mul(masks[w.Name])).ToList();
                double threshold = MagnitudePruner.GlobalThreshold(masked, keepNow);
                foreach (var t in masked) t.Dispose();
                foreach (var (name, weight) in weights)
                    Replace(masks, name, MagnitudePruner.MaskAbove(weight, threshold, masks[name]));
                break;
        }
        foreach (var (name, weight) in weights) weight.mul_(masks[name].to_type(weight.dtype));
    }

    private static void Replace(Dictionary<string, Tensor> masks, string name, Tensor mask)
    {
        masks[name].Dispose();
        masks[name] = mask;
    }
}
