using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>What `pocket quantize` does: bits per layer, where k-means starts, and the fine-tuning.</summary>
public sealed record QuantizationOptions
{
    public required BitWidths Bits { get; init; }
    public CentroidInitialization Initialization { get; init; } = CentroidInitialization.Linear;

    /// <summary>Fine-tuning of the centroids (and biases); Epochs = 0 quantizes without fine-tuning.</summary>
    public required TrainingOptions FineTune { get; init; }

    public int? TrainLimit { get; init; }
}
