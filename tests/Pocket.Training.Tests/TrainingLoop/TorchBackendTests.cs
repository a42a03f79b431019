using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.TrainingLoop;

/// <summary>
/// TorchBackend leaves libtorch on a float32 conv that agrees with float64 on whatever machine runs the tests (on AMD
/// Zen 5 that is the native path, elsewhere oneDNN), and the check itself catches a conv that is off.
/// </summary>
[Collection(TorchRandomness.Collection)]
public class TorchBackendTests
{
    [Fact]
    public void The_conv_path_it_settles_on_agrees_with_float64()
    {
        ConvPath path = TorchBackend.Ensure();
        var result = LibTorchConvCheck.Run();
        Assert.True(result.Passed, $"conv path {path}: {result.WorstCase} off by {result.WorstError:E2} relative to float64");
        Assert.True(result.WorstError < 1e-5, $"{result.WorstCase}: {result.WorstError:E2}");
        Assert.Equal(path, TorchBackend.Ensure()); // decided once
    }

    [Fact]
    public void A_conv_that_is_one_percent_off_in_float32_fails_the_check()
    {
        TorchBackend.Ensure();
        var result = LibTorchConvCheck.Run((x, w, b, stride, padding, groups) =>
        {
            var y = nn.functional.conv2d(x, w, b, strides: [stride, stride], padding: [padding, padding], groups: groups);
            return x.dtype == ScalarType.Float32 ? y * 1.01f : y;
        });
        Assert.False(result.Passed);
        Assert.InRange(result.WorstError, 0.005, 0.02);
    }

    [Fact]
    public void A_conv_whose_float32_backward_is_wrong_fails_the_check()
    {
        TorchBackend.Ensure();
        // Forward exact, input gradient scaled by 1.5 in float32 only: y = conv(x, w) + 0.5·(conv(x, w) − conv(x.detach(), w)).
        var result = LibTorchConvCheck.Run((x, w, b, stride, padding, groups) =>
        {
            Tensor Conv(Tensor input) => nn.functional.conv2d(input, w, b, strides: [stride, stride], padding: [padding, padding], groups: groups);
            var y = Conv(x);
            return x.dtype == ScalarType.Float32 ? y + 0.5f * (y - Conv(x.detach())) : y;
        });
        Assert.False(result.Passed);
    }

    [Fact]
    public void Checking_draws_nothing_from_the_seeded_generator()
    {
        torch.manual_seed(11);
        float[] before = randn(16).data<float>().ToArray();
        torch.manual_seed(11);
        LibTorchConvCheck.Run();
        float[] after = randn(16).data<float>().ToArray();
        Assert.Equal(before, after);
    }
}
