using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The convolution kernels (packed 512-bit GEMM for 1×1 and im2col convolutions, its row/column tails, the
/// phase-split depthwise kernel at stride 1 and 2) against a direct float64 convolution, at sizes that hit the
/// tails: channels that are not a multiple of the 8-row panel or the vector width, 1×1 spatial, stride 2,
/// padding, batch above 1, and K above the 256-deep K-block. Thread count must not change a single bit.
/// </summary>
public class Float64ConvTests
{
    [Theory]
    [InlineData(13, 7, 7, 27, 1, 1, 1, 0, 1)]      // pointwise at 7×7: one 32-, one 16-column tile, one left-over column, 3 padded rows
    [InlineData(300, 5, 5, 9, 1, 1, 1, 0, 1)]      // K = 300 spans two K-blocks; 25 columns = 16 + 9 left over
    [InlineData(5, 1, 1, 11, 1, 1, 1, 0, 1)]       // 1×1 spatial: only left-over columns
    [InlineData(3, 17, 19, 10, 3, 3, 2, 1, 1)]     // im2col, stride 2, padding, odd everything
    [InlineData(32, 13, 13, 64, 1, 1, 1, 0, 1)]    // SqueezeNet-like 13×13 = 169 columns: 5×32 + 9
    [InlineData(16, 14, 14, 40, 3, 3, 1, 1, 1)]    // 3×3 same, K = 144, 196 columns = 6×32 + 4
    [InlineData(12, 9, 9, 12, 3, 3, 1, 1, 12)]     // depthwise stride 1, rows narrower than 16
    [InlineData(20, 23, 37, 20, 3, 3, 2, 1, 20)]   // depthwise stride 2, padding, wide odd rows
    [InlineData(9, 40, 40, 9, 3, 3, 2, 1, 9)]      // depthwise stride 2, even input
    [InlineData(6, 30, 31, 12, 3, 3, 2, 0, 6)]     // depthwise stride 2 unpadded, channel multiplier 2
    [InlineData(5, 21, 21, 5, 5, 5, 2, 2, 5)]      // depthwise 5×5 stride 2
    [InlineData(7, 18, 18, 7, 3, 3, 3, 1, 7)]      // depthwise stride 3
    public void ConvMatchesFloat64(int inC, int h, int w, int outC, int kH, int kW, int stride, int pad, int groups)
    {
        var b = new ModelBuilder(inC * 31 + h * 7 + outC + groups);
        int x = b.Input(inC, h, w);
        b.Conv(x, "conv", inC, outC, kH, kW, stride, stride, pad, pad, groups);
        PocketModel model = b.Build();
        const int batch = 3;
        var one = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        float[] input = Assertions.RandomInput(5, batch * one.InputLength);
        var actual = new float[batch * one.OutputLength];
        one.Predict(input, batch, actual);

        var weight = (DenseTensor)b.Tensors["conv.weight"];
        var bias = (DenseTensor)b.Tensors["conv.bias"];
        float[] expected = Float64Reference.Conv(input, batch, inC, h, w, outC, kH, kW, stride, pad, groups, weight.Values, bias.Values);
        Assertions.Close(expected, actual, 1e-5);

        foreach (int threads in new[] { 2, 3 })
        {
            var many = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = threads });
            var again = new float[actual.Length];
            many.Predict(input, batch, again);
            Assert.Equal(actual, again);
            float[] single = many.Predict(input.AsSpan(0, one.InputLength));
            Assert.Equal(actual.AsSpan(0, one.OutputLength).ToArray(), single);
        }
    }

    /// <summary>
    /// The paths added for issue 16, each with its fused activation (the packed GEMM clamps in its last store; the
    /// phase-plane depthwise kernel while compacting): prepacked panels with left-over columns taken four panels at a
    /// time (and a partial last group / panel), K unblocked when B fits in L2, K blocked with rows or columns outer,
    /// the phase-split unfold at stride 2 and 3 with odd sizes, depthwise planes narrower than a vector (7×7, 1×1)
    /// and stride 2 on odd planes. Thread count must not change a bit.
    /// </summary>
    [Theory]
    [InlineData(64, 13, 13, 72, 1, 1, 1, 0, 1, OpKind.Relu)]     // n = 169: 9 left-over columns, 2 groups of 4 panels + 1 panel
    [InlineData(40, 7, 7, 36, 1, 1, 1, 0, 1, OpKind.Relu6)]      // n = 49: one left-over column, 36 rows = 4 panels + 4 rows
    [InlineData(600, 15, 15, 36, 1, 1, 1, 0, 1, OpKind.Relu6)]   // K = 600 × n = 225 > L2 budget: 3 K-blocks, rows outer per block
    [InlineData(300, 23, 23, 40, 1, 1, 1, 0, 1, OpKind.Relu)]    // K = 300 × n = 529: K-blocks with columns outer, 1 left-over column
    [InlineData(3, 29, 31, 17, 3, 3, 2, 1, 1, OpKind.Relu6)]     // the stem: phase-split unfold, odd width and height
    [InlineData(5, 20, 17, 6, 7, 7, 2, 3, 1, OpKind.Relu)]       // 7×7 stride-2 stem with padding 3
    [InlineData(4, 16, 16, 9, 3, 3, 3, 0, 1, OpKind.Relu)]       // stride 3 unfold, unpadded
    [InlineData(24, 7, 7, 24, 3, 3, 1, 1, 24, OpKind.Relu6)]     // depthwise 7×7 (narrower than a vector)
    [InlineData(17, 1, 1, 17, 3, 3, 1, 1, 17, OpKind.Relu6)]     // depthwise on a 1×1 plane
    [InlineData(19, 15, 13, 19, 3, 3, 2, 1, 19, OpKind.Relu)]    // depthwise stride 2, odd plane
    [InlineData(8, 14, 14, 8, 3, 3, 2, 1, 8, OpKind.Relu6)]      // depthwise stride 2 to 7×7
    // Large enough (≥ 2 M multiply-adds per thread) that threads split the layer by pixels, not filters:
    [InlineData(64, 31, 66, 64, 1, 1, 1, 0, 1, OpKind.Relu)]     // n = 2046: 32-column tiles, 30 columns left over at the end
    [InlineData(300, 29, 31, 36, 1, 1, 1, 0, 1, OpKind.Relu6)]   // n = 899 with K blocked, columns outer
    [InlineData(64, 60, 21, 8, 3, 3, 1, 1, 1, OpKind.Relu)]      // output rows: 3 im2col blocks per thread, the last short
    [InlineData(3, 121, 91, 64, 3, 3, 2, 1, 1, OpKind.Relu6)]    // output rows from stride-2 phase planes
    // Im2col-free (StreamConv) on AVX-512: rows split between threads, a partial panel, groups, the 7×7 stem:
    [InlineData(16, 64, 40, 20, 3, 3, 1, 1, 1, OpKind.Relu)]     // 3×3 stride 1 over 64 rows of 42-float stream rows
    [InlineData(32, 44, 36, 24, 3, 3, 1, 1, 4, OpKind.Relu6)]    // grouped 3×3, K = 72 (SEP-Net's pattern convs)
    [InlineData(3, 90, 70, 16, 7, 7, 2, 3, 1, OpKind.Relu)]      // 7×7 stride-2 stem
    [InlineData(128, 14, 14, 128, 3, 3, 1, 1, 4, OpKind.Relu)]   // grouped im2col on a small plane: whole groups per thread
    [InlineData(64, 20, 26, 40, 3, 3, 1, 1, 4, OpKind.Relu6)]    // grouped stream conv: whole groups per thread
    public void FusedConvMatchesFloat64(int inC, int h, int w, int outC, int kH, int kW, int stride, int pad, int groups, OpKind activation)
    {
        var b = new ModelBuilder(inC * 17 + h * 5 + outC + groups);
        int x = b.Input(inC, h, w);
        int conv = b.Conv(x, "conv", inC, outC, kH, kW, stride, stride, pad, pad, groups);
        b.Op("act", activation, conv);
        PocketModel model = b.Build();
        const int batch = 2;
        var one = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        Assert.Contains(one.DescribeLayers(), l => l.Contains(activation == OpKind.Relu ? "+relu" : "+relu6"));
        // Inputs around zero, so the clamp at 0 (and at 6 for ReLU6, with weights scaled up) is exercised.
        float[] input = Assertions.RandomInput(9, batch * one.InputLength);
        for (int i = 0; i < input.Length; i++) input[i] = 4f * (input[i] - 0.5f);
        var actual = new float[batch * one.OutputLength];
        one.Predict(input, batch, actual);

        var weight = (DenseTensor)b.Tensors["conv.weight"];
        var bias = (DenseTensor)b.Tensors["conv.bias"];
        float[] expected = Float64Reference.Conv(input, batch, inC, h, w, outC, kH, kW, stride, pad, groups, weight.Values, bias.Values);
        for (int i = 0; i < expected.Length; i++)
            expected[i] = activation == OpKind.Relu ? Math.Max(expected[i], 0f) : Math.Clamp(expected[i], 0f, 6f);
        Assertions.Close(expected, actual, 1e-5);
        Assert.Contains(actual, v => v == 0f);

        foreach (int threads in new[] { 2, 3 })
        {
            var many = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = threads });
            var again = new float[actual.Length];
            many.Predict(input, batch, again);
            Assert.Equal(actual, again);
        }
    }
}
