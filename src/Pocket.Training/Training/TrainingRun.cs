using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;

namespace Pocket.Training.Training;

/// <summary>Trains a zoo model from scratch on a dataset, evaluates it, and returns the checkpoint.</summary>
public static class TrainingRun
{
    public sealed record Result(Checkpoint Checkpoint, Evaluation Test, TimeSpan WallTime);

    /// <param name="journalPath">
    /// If set, a checkpoint of the run so far (stage "training", with the optimizer state) is written there
    /// atomically after every epoch, and an existing one is resumed from. A run killed at any moment loses at
    /// most the epoch in progress.
    /// </param>
    /// <param name="resume">Continue the unfinished run in <paramref name="journalPath"/> instead of starting afresh.</param>
    public static Result Run(ModelSpec spec, DatasetSplit data, TrainingOptions options, int? trainLimit = null,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default, string? journalPath = null, bool resume = false)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var train = trainLimit is int n ? data.Train.Take(n) : data.Train;
        var input = TrainingRecipes.InputFor(spec, train.Channels, train.Height, train.Width);
        torch.manual_seed(options.Seed);
        using var model = ModelZoo.Create(spec, input, train.Classes);
        var metadata = new Dictionary<string, string>
        {
            ["seed"] = options.Seed.ToString(),
            ["epochs"] = options.Epochs.ToString(),
            ["train_samples"] = train.Count.ToString(),
        };
        EpochCheckpointing? checkpointing = null;
        if (journalPath is not null)
        {
            var resumed = resume ? Resume(journalPath, spec, data.Name, metadata, model) : null;
            checkpointing = new EpochCheckpointing
            {
                CompletedEpochs = resumed?.Epoch ?? 0,
                OptimizerState = resumed?.OptimizerState,
                Save = (epoch, optimizerState) =>
                {
                    var partial = ModuleState.Capture(model, data.Name, metadata);
                    partial.Metadata["stage"] = "training";
                    partial.Metadata["completed_epochs"] = epoch.ToString();
                    partial.Extra["optimizer"] = CheckpointTensor.FromBytes(optimizerState, [optimizerState.Length]);
                    partial.Save(journalPath);
                },
            };
        }
        Trainer.Train(model, train, options, test: data.Test, progress: progress, cancel: cancel, checkpointing: checkpointing);
        var evaluation = Evaluator.Evaluate(model, data.Test, input);
        var checkpoint = ModuleState.Capture(model, data.Name, metadata);
        checkpoint.Metadata["stage"] = "trained";
        checkpoint.Metadata["test_error"] = evaluation.Error.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return new Result(checkpoint, evaluation, clock.Elapsed);
    }

    /// <summary>Loads an unfinished run of the same model, data and settings, if the journal holds one.</summary>
    private static (int Epoch, byte[] OptimizerState)? Resume(string path, ModelSpec spec, string dataset,
        IReadOnlyDictionary<string, string> metadata, PocketModule model)
    {
        if (!File.Exists(path)) return null;
        var partial = Checkpoint.Load(path);
        if (partial.Metadata.GetValueOrDefault("stage") != "training") return null; // a finished checkpoint: start afresh
        if (partial.Model != spec && partial.Model.ToString() != spec.ToString() || partial.Dataset != dataset
            || metadata.Any(kv => partial.Metadata.GetValueOrDefault(kv.Key) != kv.Value))
            throw new CheckpointException($"{path}: an unfinished run with other settings ({partial.Model} on {partial.Dataset}, " +
                $"seed {partial.Metadata.GetValueOrDefault("seed")}, {partial.Metadata.GetValueOrDefault("epochs")} epochs); remove it or pass the same flags");
        ModuleState.Load(model, partial, path);
        int epoch = int.Parse(partial.Metadata["completed_epochs"]);
        return (epoch, partial.Extra["optimizer"].AsBytes());
    }
}
