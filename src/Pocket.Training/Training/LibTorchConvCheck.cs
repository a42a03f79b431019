using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// Checks libtorch's float32 convolution, forward and backward, against the same convolution in float64.
/// <para>
/// Why: on some CPUs libtorch's bundled oneDNN computes float32 conv wrong. On AMD Zen 5 (EPYC family 26)
/// oneDNN 3.7.1 picks its <c>jit:avx512_core</c> kernels and their outputs are about 1 % off, enough to send
/// LeNet-5's training to NaN in its first epoch. libtorch's float64 conv never goes through oneDNN (oneDNN has
/// no float64), so it is an independent reference on every machine.
/// </para>
/// The shapes are the zoo's kinds of conv (LeNet-5's two 5×5 layers, a padded strided 3×3, a depthwise 3×3,
/// a 1×1), small enough to run in well under a second, once per process. Inputs come from a fixed formula, not
/// from torch's generator, so running the check never changes what a seeded run draws.
/// </summary>
public static class LibTorchConvCheck
{
    /// <summary>float32 against float64 relative to the largest reference value; a healthy path is ~1e-7.</summary>
    public const double Tolerance = 1e-4;

    private sealed record Case(string Name, int Batch, int InChannels, int Size, int OutChannels, int Kernel, int Stride, int Padding, int Groups);

    private static readonly Case[] Cases =
    [
        new("5x5 1→20 (LeNet-5 conv1)", 2, 1, 28, 20, 5, 1, 0, 1),
        new("5x5 20→50 (LeNet-5 conv2)", 2, 20, 12, 50, 5, 1, 0, 1),
        new("3x3 stride 2 pad 1", 2, 8, 15, 16, 3, 2, 1, 1),
        new("3x3 depthwise", 2, 16, 9, 16, 3, 1, 1, 16),
        new("1x1", 2, 16, 7, 24, 1, 1, 0, 1),
    ];

    /// <summary>The worst case: its name and its relative error (largest over output, input and weight gradients).</summary>
    public readonly record struct Result(string WorstCase, double WorstError)
    {
        public bool Passed => WorstError <= Tolerance;
    }

    /// <summary>A conv as the check calls it: <c>nn.functional.conv2d</c>, or a stand-in in tests.</summary>
    public delegate Tensor Conv2dFunction(Tensor input, Tensor weight, Tensor bias, long stride, long padding, long groups);

    /// <summary>Checks libtorch's conv as the current settings run it.</summary>
    public static Result Run() => Run(LibTorchConv);

    /// <summary>Checks <paramref name="conv"/> in float32 against itself in float64.</summary>
    public static Result Run(Conv2dFunction conv)
    {
        string worstName = "";
        double worst = 0;
        foreach (var c in Cases)
        {
            double error = RelativeError(c, conv);
            if (error > worst || double.IsNaN(error)) (worstName, worst) = (c.Name, double.IsNaN(error) ? double.PositiveInfinity : error);
        }
        return new Result(worstName, worst);
    }

    private static Tensor LibTorchConv(Tensor input, Tensor weight, Tensor bias, long stride, long padding, long groups) =>
        nn.functional.conv2d(input, weight, bias, strides: [stride, stride], padding: [padding, padding], groups: groups);

    private static double RelativeError(Case c, Conv2dFunction conv)
    {
        using var scope = NewDisposeScope();
        long[] xShape = [c.Batch, c.InChannels, c.Size, c.Size];
        long[] wShape = [c.OutChannels, c.InChannels / c.Groups, c.Kernel, c.Kernel];
        var x64 = Pattern(xShape, 0.37);
        var w64 = Pattern(wShape, 0.61) * (1.0 / Math.Sqrt(c.InChannels / c.Groups * c.Kernel * c.Kernel));
        var b64 = Pattern([c.OutChannels], 0.83);

        var (y32, gx32, gw32) = ForwardBackward(x64.to(ScalarType.Float32), w64.to(ScalarType.Float32), b64.to(ScalarType.Float32), c, conv);
        var (y64, gx64, gw64) = ForwardBackward(x64, w64, b64, c, conv);
        return new[] { Relative(y32, y64), Relative(gx32, gx64), Relative(gw32, gw64) }.Max();
    }

    private static (Tensor Y, Tensor GradX, Tensor GradW) ForwardBackward(Tensor x, Tensor w, Tensor b, Case c, Conv2dFunction conv)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        using var _ = enable_grad();
        var y = conv(x, w, b, c.Stride, c.Padding, c.Groups);
        // A fixed, non-uniform output gradient, so the backward pass is checked on more than a sum.
        var upstream = Pattern(y.shape, 0.29).to(y.dtype);
        (y * upstream).sum().backward();
        return (y.detach(), x.grad!, w.grad!);
    }

    /// <summary>Deterministic values in [-1, 1] from a sine of the element index.</summary>
    private static Tensor Pattern(long[] shape, double phase)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new double[n];
        for (long i = 0; i < n; i++) values[i] = Math.Sin(i * 0.7391 + phase) * Math.Cos(i * 0.1313 + 2 * phase);
        return tensor(values, shape, ScalarType.Float64);
    }

    private static double Relative(Tensor actual, Tensor reference)
    {
        double scale = reference.abs().max().item<double>();
        double diff = (actual.to(ScalarType.Float64) - reference).abs().max().item<double>();
        return diff / Math.Max(scale, 1e-30);
    }
}
