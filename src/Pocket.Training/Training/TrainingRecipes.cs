using Pocket.Training.Models;

namespace Pocket.Training.Training;

/// <summary>
/// The default training recipe and input shape for each model of the zoo: what `pocket train` uses when no
/// flag overrides it. The figures these reach are in bench/results/baseline.md.
/// </summary>
public static class TrainingRecipes
{
    public static TrainingOptions For(string model) => model.ToLowerInvariant() switch
    {
        "lenet300" => new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-4, Schedule = LearningRateSchedule.Cosine },
        "lenet5" => new TrainingOptions { Epochs = 15, BatchSize = 64, LearningRate = 0.02, Momentum = 0.9, WeightDecay = 5e-4, Schedule = LearningRateSchedule.Cosine },
        _ => new TrainingOptions { Epochs = 10, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4, Schedule = LearningRateSchedule.Cosine },
    };

    /// <summary>The input shape a model takes for a dataset's images (some architectures want 32×32 or more).</summary>
    public static InputShape InputFor(ModelSpec spec, int channels, int height, int width)
    {
        int resolution = spec.Option("resolution", 0);
        return resolution > 0 ? new InputShape(channels, resolution, resolution) : new InputShape(channels, height, width);
    }
}
