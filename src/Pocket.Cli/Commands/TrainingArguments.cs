using Pocket.Training.Training;

namespace Pocket.Cli.Commands;

/// <summary>Applies the command line's training overrides to a recipe.</summary>
public static class TrainingArguments
{
    public static TrainingOptions Apply(TrainingOptions recipe, int? epochs, double? lr, int? batchSize, double? weightDecay, string? optimizer, int seed,
        int? shift = null)
    {
        if (epochs is < 0) throw new UsageException($"--epochs: {epochs} is negative");
        LearningRate("--lr", lr);
        if (batchSize is <= 0) throw new UsageException($"--batch-size: {batchSize} must be positive");
        if (weightDecay is < 0) throw new UsageException($"--weight-decay: {weightDecay} is negative");
        if (shift is int sh && RandomShift.Problem(sh) is { } problem) throw new UsageException($"--shift: {problem}");
        var kind = optimizer?.ToLowerInvariant() switch
        {
            null => recipe.Optimizer,
            "sgd" => OptimizerKind.Sgd,
            "adam" => OptimizerKind.Adam,
            _ => throw new UsageException($"--optimizer: '{optimizer}' is not sgd or adam"),
        };
        return recipe with
        {
            Epochs = epochs ?? recipe.Epochs,
            LearningRate = lr ?? recipe.LearningRate,
            BatchSize = batchSize ?? recipe.BatchSize,
            WeightDecay = weightDecay ?? recipe.WeightDecay,
            Optimizer = kind,
            Seed = seed,
            Shift = shift ?? recipe.Shift,
        };
    }

    public const string ShiftDescription = "Move each training image by up to N pixels per axis, drawn anew every epoch (0: off).";

    /// <summary>A learning-rate flag's value, if given: positive and finite, or a one-line error naming the flag.</summary>
    public static double? LearningRate(string flag, double? value) =>
        value is double v && !(v > 0 && double.IsFinite(v)) ? throw new UsageException($"{flag}: {v} must be positive") : value;
}
