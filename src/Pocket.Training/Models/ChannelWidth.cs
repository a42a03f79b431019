namespace Pocket.Training.Models;

/// <summary>
/// Scales a layer's channel count by a width multiplier (MobileNet's α) the way TensorFlow-slim's MobileNet does:
/// int(c·α), truncated, but never below 8 channels (its min_depth). At α ∈ {1, 0.75, 0.5, 0.25} every MobileNet
/// layer is an exact multiple, so these are the channel counts behind Howard et al.'s Table 6.
/// </summary>
public static class ChannelWidth
{
    public const int MinimumChannels = 8;

    public static int Scale(int channels, double multiplier)
    {
        if (!(multiplier > 0) || double.IsInfinity(multiplier))
            throw new ArgumentOutOfRangeException(nameof(multiplier), $"width multiplier {multiplier} must be positive");
        // The epsilon keeps products such as 0.7·100 = 69.999… from truncating one channel short.
        return Math.Max(MinimumChannels, (int)(channels * multiplier + 1e-9));
    }
}
