using Pocket.Training.Compression;
using Pocket.Training.Training;

namespace Pocket.Cli.Commands;

/// <summary>Turns the compression commands' flags into options, with one-line errors for bad values.</summary>
public static class CompressionArguments
{
    public static PruningOptions Pruning(string model, string? keep, double? quality, int rounds, string schedule,
        int? epochs, double? lr, double? weightDecay, string? optimizer, int seed, int? limit)
    {
        if (keep is null == quality is null) throw new UsageException("give exactly one of --keep and --quality");
        PruningRule rule;
        try { rule = keep is not null ? PruningRule.ParseKeep(keep) : new PruningRule.Quality(quality!.Value); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (quality is <= 0) throw new UsageException($"--quality: {quality} must be positive");
        var sched = schedule.ToLowerInvariant() switch
        {
            "geometric" => PruningSchedule.Geometric,
            "cubic" => PruningSchedule.Cubic,
            _ => throw new UsageException($"--schedule: '{schedule}' is not geometric or cubic"),
        };
        return new PruningOptions
        {
            Rule = rule, Rounds = rounds, Schedule = sched, TrainLimit = limit,
            Retrain = Retraining(model, epochs, lr, weightDecay, optimizer, seed),
        };
    }

    public static QuantizationOptions Quantization(string model, string bits, string init, int? epochs, double? lr, int seed, int? limit)
    {
        BitWidths widths;
        try { widths = BitWidths.Parse(bits); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var initialization = init.ToLowerInvariant() switch
        {
            "linear" => CentroidInitialization.Linear,
            "density" => CentroidInitialization.Density,
            "random" => CentroidInitialization.Random,
            _ => throw new UsageException($"--init: '{init}' is not linear, density or random"),
        };
        var fineTune = Retraining(model, epochs, lr, null, null, seed);
        return new QuantizationOptions { Bits = widths, Initialization = initialization, FineTune = fineTune with { WeightDecay = 0 }, TrainLimit = limit };
    }

    /// <summary>Retraining after pruning or quantization: the model's recipe with a tenth of its learning rate.</summary>
    public static TrainingOptions Retraining(string model, int? epochs, double? lr, double? weightDecay, string? optimizer, int seed)
    {
        var recipe = TrainingRecipes.Retraining(model);
        return TrainingArguments.Apply(recipe, epochs, lr, null, weightDecay, optimizer, seed);
    }
}
