using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;

namespace Pocket.Training.Training;

/// <summary>Trains a zoo model from scratch on a dataset, evaluates it, and returns the checkpoint.</summary>
public static class TrainingRun
{
    public sealed record Result(Checkpoint Checkpoint, Evaluation Test, TimeSpan WallTime);

    public static Result Run(ModelSpec spec, DatasetSplit data, TrainingOptions options, int? trainLimit = null,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var train = trainLimit is int n ? data.Train.Take(n) : data.Train;
        var input = TrainingRecipes.InputFor(spec, train.Channels, train.Height, train.Width);
        torch.manual_seed(options.Seed);
        using var model = ModelZoo.Create(spec, input, train.Classes);
        Trainer.Train(model, train, options, test: data.Test, progress: progress, cancel: cancel);
        var evaluation = Evaluator.Evaluate(model, data.Test, input);
        var checkpoint = ModuleState.Capture(model, data.Name, new Dictionary<string, string>
        {
            ["stage"] = "trained",
            ["seed"] = options.Seed.ToString(),
            ["epochs"] = options.Epochs.ToString(),
            ["train_samples"] = train.Count.ToString(),
            ["test_error"] = evaluation.Error.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        return new Result(checkpoint, evaluation, clock.Elapsed);
    }
}
