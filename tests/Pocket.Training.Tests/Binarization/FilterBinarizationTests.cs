using Pocket.Training.Compression.Binarization;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.Binarization;

[Collection(TorchRandomness.Collection)]
public class FilterBinarizationTests
{
    [Fact]
    public void Zero_and_negative_zero_binarize_to_plus_alpha_like_the_encoders_bit()
    {
        using var weight = tensor(new[] { 0.5f, -0.25f, 0f, -0f, 1f, -1f, 2f, 0f }, [2, 1, 2, 2]);
        using var scales = FilterBinarization.Scales(weight);
        Assert.Equal(new[] { 0.1875f, 1f }, scales.data<float>().ToArray());
        using var binarized = FilterBinarization.Binarize(weight, scales);
        Assert.Equal(new[] { 0.1875f, -0.1875f, 0.1875f, 0.1875f, 1f, -1f, 1f, 1f }, binarized.data<float>().ToArray());
    }

    [Theory]
    [InlineData(new long[] { 8, 4, 3, 3 }, false, true)]
    [InlineData(new long[] { 8, 4, 1, 1 }, false, false)]
    [InlineData(new long[] { 8, 4, 1, 1 }, true, true)]
    [InlineData(new long[] { 8, 4, 1, 3 }, false, true)]
    [InlineData(new long[] { 10, 64 }, true, false)]
    public void Selects_kxk_convs_and_1x1_only_when_asked_never_fc(long[] shape, bool includePointwise, bool selected) =>
        Assert.Equal(selected, FilterBinarization.Selects(shape, includePointwise));
}
