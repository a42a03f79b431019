using Pocket.Training.Compression;
using Pocket.Training.Training;

namespace Pocket.Cli.Commands;

/// <summary>Turns the compression commands' flags into options, with one-line errors for bad values.</summary>
public static class CompressionArguments
{
    public static PruningOptions Pruning(string model, string? keep, double? quality, int rounds, string schedule,
        int? epochs, double? lr, double? weightDecay, string? optimizer, int seed, int? limit, int? shift = null)
    {
        if (keep is null == quality is null) throw new UsageException("give exactly one of --keep and --quality");
        PruningRule rule;
        try { rule = keep is not null ? PruningRule.ParseKeep(keep) : new PruningRule.Quality(quality!.Value); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (quality is <= 0) throw new UsageException($"--quality: {quality} must be positive");
        var sched = Schedule(schedule);
        return new PruningOptions
        {
            Rule = rule, Rounds = rounds, Schedule = sched, TrainLimit = limit,
            Retrain = Retraining(model, epochs, lr, weightDecay, optimizer, seed, shift),
        };
    }

    /// <summary>
    /// Refuses, before any data is read or any training runs, a --keep that names a layer the model does not have
    /// (the pruning run would only find out at its first round, after compress's float training).
    /// </summary>
    public static void CheckKeepLayers(PruningRule rule, Func<Pocket.Training.Models.PocketModule> model)
    {
        if (rule is not PruningRule.PerLayer perLayer || perLayer.Keep.Keys.All(k => k is "conv" or "fc")) return;
        using var m = model();
        try { perLayer.CheckLayers(m.CompressibleWeights().Select(w => Pocket.Training.Models.PocketModule.LayerName(w.Name)).ToList()); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>The `--schedule` value: how the kept fraction shrinks over the pruning rounds.</summary>
    public static PruningSchedule Schedule(string schedule) => schedule.ToLowerInvariant() switch
    {
        "geometric" => PruningSchedule.Geometric,
        "cubic" => PruningSchedule.Cubic,
        _ => throw new UsageException($"--schedule: '{schedule}' is not geometric or cubic"),
    };

    /// <summary>
    /// `--distill W [--temperature T]`: retrain against the stage's input model as teacher; null without the flag or
    /// with W = 0 (which turns off a recipe's distillation).
    /// </summary>
    public static Distillation? Distill(double? weight, double? temperature)
    {
        if (weight is null)
            return temperature is null ? null : throw new UsageException("--temperature: only with --distill");
        if (weight == 0) return null;
        double t = temperature ?? DefaultTemperature;
        if (Distillation.WeightProblem(weight.Value) is { } w) throw new UsageException($"--distill: {w}");
        if (Distillation.TemperatureProblem(t) is { } p) throw new UsageException($"--temperature: {p}");
        return new Distillation(weight.Value, t);
    }

    /// <summary>Hinton et al.'s MNIST experiments used temperatures of 2 to 20; 4 is a common middle.</summary>
    public const double DefaultTemperature = 4;

    public const string DistillDescription = "Retrain against the stage's input model's soft targets with this weight (0 to 1; 0 turns a recipe's off).";

    public static QuantizationOptions Quantization(string model, string bits, string init, int? epochs, double? lr, int seed, int? limit,
        int? shift = null)
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
        var fineTune = Retraining(model, epochs, lr, null, null, seed, shift);
        return new QuantizationOptions { Bits = widths, Initialization = initialization, FineTune = fineTune with { WeightDecay = 0 }, TrainLimit = limit };
    }

    /// <summary>Retraining after pruning or quantization: the model's recipe with a tenth of its learning rate.</summary>
    public static TrainingOptions Retraining(string model, int? epochs, double? lr, double? weightDecay, string? optimizer, int seed,
        int? shift = null)
    {
        var recipe = TrainingRecipes.Retraining(model);
        return TrainingArguments.Apply(recipe, epochs, lr, null, weightDecay, optimizer, seed, shift);
    }
}
