using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Magnitude pruning (Han et al. 2015): a weight survives when its absolute value is above a threshold.
/// Masks only ever shrink: a weight pruned earlier stays pruned whatever its current value.
/// </summary>
public static class MagnitudePruner
{
    /// <summary>The threshold of Han et al.'s rule: quality × the standard deviation of all the layer's weights.</summary>
    public static double StdThreshold(Tensor weight, double quality)
    {
        using var _ = no_grad();
        return quality * weight.std(unbiased: false).item<float>();
    }

    /// <summary>Mask keeping |w| &gt; threshold (and only where <paramref name="previous"/> kept).</summary>
    public static Tensor MaskAbove(Tensor weight, double threshold, Tensor? previous = null)
    {
        using var _ = no_grad();
        var mask = weight.abs().gt(threshold);
        return previous is null ? mask : mask.logical_and_(previous.to_type(ScalarType.Bool));
    }

    /// <summary>
    /// Mask keeping the round(keep × n) weights of largest magnitude among those <paramref name="previous"/> kept.
    /// Ties at the threshold are broken by position (a stable order), so the count is exact.
    /// </summary>
    public static Tensor MaskKeepFraction(Tensor weight, double keep, Tensor? previous = null)
    {
        using var _ = no_grad();
        long n = weight.numel();
        long k = Math.Clamp((long)Math.Round(keep * n), 0, n);
        using var magnitude = weight.abs().flatten();
        if (previous is not null) magnitude.masked_fill_(previous.flatten().to_type(ScalarType.Bool).logical_not(), -1f);
        var mask = zeros(n, dtype: ScalarType.Bool);
        if (k > 0)
        {
            var (_, indices) = magnitude.topk((int)k, largest: true, sorted: false);
            mask.index_fill_(0, indices, true);
            indices.Dispose();
        }
        if (previous is not null) mask.logical_and_(previous.flatten().to_type(ScalarType.Bool));
        return mask.reshape(weight.shape);
    }

    /// <summary>The magnitude threshold that keeps a fraction of all the given weights together.</summary>
    public static double GlobalThreshold(IEnumerable<Tensor> weights, double keep)
    {
        using var _ = no_grad();
        using var all = cat(weights.Select(w => w.abs().flatten()).ToArray());
        long k = Math.Clamp((long)Math.Round(keep * all.numel()), 1, all.numel());
        var (values, _) = all.topk((int)k, largest: true, sorted: true);
        float threshold = values[k - 1].item<float>();
        values.Dispose();
        // Keep strictly above the k-th largest value's predecessor: ties at the threshold survive.
        return Math.BitDecrement(threshold);
    }
}
