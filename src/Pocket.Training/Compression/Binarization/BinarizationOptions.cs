using Pocket.Training.Training;

namespace Pocket.Training.Compression.Binarization;

/// <summary>What `pocket binarize` does: which convs, and how the network is fine-tuned afterwards.</summary>
public sealed record BinarizationOptions
{
    public BinarizationMode Mode { get; init; } = BinarizationMode.Frozen;

    /// <summary>Binarize 1×1 convs too (the ablation; SEP-Nets keep them full precision).</summary>
    public bool IncludePointwise { get; init; }

    /// <summary>
    /// Convs (layer names, e.g. "conv1") left in float although their kernel is larger than 1×1: the stem, which
    /// binary-network practice keeps full precision because a 1-channel 3×3 filter has only 9 signs to say anything with.
    /// </summary>
    public IReadOnlySet<string> KeepFloat { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Fine-tuning after binarization; Epochs = 0 binarizes without fine-tuning.</summary>
    public required TrainingOptions FineTune { get; init; }

    public int? TrainLimit { get; init; }
}
