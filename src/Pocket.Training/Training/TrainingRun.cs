using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;

namespace Pocket.Training.Training;

/// <summary>Trains a zoo model from scratch on a dataset, evaluates it, and returns the checkpoint.</summary>
public static class TrainingRun
{
    public sealed record Result(Checkpoint Checkpoint, Evaluation Test, TimeSpan WallTime);

    /// <param name="journal">
    /// If set, the run's progress (weights and optimizer state) is written to the journal's "train" stage after
    /// every epoch, and its result when done; a resumed journal continues after its last saved epoch. A run killed
    /// at any moment loses at most the epoch in progress.
    /// </param>
    public static Result Run(ModelSpec spec, DatasetSplit data, TrainingOptions options, int? trainLimit = null,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default, RunJournal? journal = null)
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
        string settings = $"train {spec} on {data.Name} ({train.Count} images), {options}";
        var saved = journal?.Load(Stage, settings);
        if (saved is not null) ModuleState.Load(model, saved.Checkpoint, journal!.PathOf(Stage));
        if (saved is not { Finished: true })
        {
            var checkpointing = journal?.Checkpointing(Stage, settings, 1, saved, () => ModuleState.Capture(model, data.Name, metadata));
            Trainer.Train(model, train, options, test: data.Test, progress: progress, cancel: cancel, checkpointing: checkpointing);
        }
        var evaluation = Evaluator.Evaluate(model, data.Test, input);
        var checkpoint = ModuleState.Capture(model, data.Name, metadata);
        checkpoint.Metadata["stage"] = "trained";
        checkpoint.Metadata["test_error"] = evaluation.Error.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        journal?.SaveFinished(Stage, settings, checkpoint);
        return new Result(checkpoint, evaluation, clock.Elapsed);
    }

    /// <summary>The run's stage name in a <see cref="RunJournal"/>.</summary>
    public const string Stage = "train";
}
