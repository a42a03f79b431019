using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.TrainingLoop;

/// <summary>
/// TorchBackend leaves libtorch on a float32 conv that agrees with float64 on whatever machine runs the tests (on AMD
/// Zen 5 oneDNN capped at SSE4.1, elsewhere oneDNN as it is, or the native path where oneDNN fails), and the check
/// itself catches a conv that is off.
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
    public void The_CPU_rule_reads_the_vendor_and_family_that_proc_cpuinfo_reports()
    {
        if (!File.Exists("/proc/cpuinfo") || !System.Runtime.Intrinsics.X86.X86Base.IsSupported) return; // x86-64 Linux only
        string[] lines = File.ReadAllLines("/proc/cpuinfo");
        string Field(string name) => lines.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        bool zen5 = Field("vendor_id") == "AuthenticAMD" && int.Parse(Field("cpu family")) == 26;
        Assert.Equal(zen5, OneDnnIsaCap.IsKnownWrongCpu());
    }

    [Fact]
    public void On_a_CPU_where_oneDNN_is_known_wrong_it_is_capped_and_passes_the_check()
    {
        bool userCap = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OneDnnIsaCap.Variable));
        ConvPath path = TorchBackend.Ensure();
        if (!OneDnnIsaCap.IsKnownWrongCpu() || OperatingSystem.IsWindows() || userCap) return;
        Assert.Equal(ConvPath.OneDnn, path);
        Assert.Equal(OneDnnIsaCap.KnownGoodIsa, OneDnnIsaCap.InEffect);
        Assert.Equal("OneDnn (ONEDNN_MAX_CPU_ISA=SSE41)", TorchBackend.ConvPathDescription);
        Assert.True(LibTorchConvCheck.Run().Passed);
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
