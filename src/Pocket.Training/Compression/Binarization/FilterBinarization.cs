using static TorchSharp.torch;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// Pattern binarization of conv filters (Li et al. 2017, SEP-Nets, after XNOR-Net): each output filter W_f becomes
/// α_f·B_f with B_f = sign(W_f) and α_f = mean |W_f|, the α that minimises ‖W_f − α·B_f‖² for those signs.
/// sign(0) is +1, because the .pocket encoder sets a filter's bit where w ≥ 0 (−0.0 included), and the two must
/// agree on every weight for the stored file to reproduce the checkpoint exactly.
/// </summary>
public static class FilterBinarization
{
    /// <summary>Whether a weight is a conv kernel this pass binarizes: k×k with k &gt; 1, or 1×1 too if asked (fc never).</summary>
    public static bool Selects(long[] shape, bool includePointwise) =>
        shape.Length == 4 && (includePointwise || shape[2] * shape[3] > 1);

    /// <summary>α per output filter: the mean absolute value of the filter's weights, shape [outC].</summary>
    public static Tensor Scales(Tensor weight)
    {
        using var flat = weight.detach().flatten(1);
        using var magnitudes = flat.abs();
        return magnitudes.mean([1L]);
    }

    /// <summary>α_f·B_f for every filter: +α where w ≥ 0, −α elsewhere (same shape as the weight).</summary>
    public static Tensor Binarize(Tensor weight, Tensor scales)
    {
        using var nonNegative = weight.detach().ge(0);
        using var signs = where(nonNegative, 1f, -1f);
        using var alpha = scales.reshape(-1, 1, 1, 1);
        return signs.mul(alpha);
    }
}
