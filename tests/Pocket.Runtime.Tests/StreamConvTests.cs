using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The im2col-free k×k convolution (<see cref="StreamConv"/>) to the bit against the im2col + packed GEMM path it
/// replaces, and against float64: 3×3 stride 1 and 2 with padding 1, the 7×7 stride-2 stem, unpadded and stride-3
/// layers, filter counts that leave a partial panel, widths whose stream tiles straddle rows, row blocks that split
/// the plane, and each fused activation. Needs AVX-512 (the packed GEMM): elsewhere the kernel is never chosen and
/// this test has nothing to run.
/// </summary>
public class StreamConvTests
{
    [Theory]
    [InlineData(16, 27, 27, 64, 3, 1, 1, 0)]     // SqueezeNet's 3×3 expand shape at 27×27, rows in one block
    [InlineData(16, 30, 25, 20, 3, 1, 1, 7)]     // 20 filters: a partial last panel; blocks of 7 rows, the last short
    [InlineData(3, 33, 47, 13, 3, 2, 1, 0)]      // stride-2 stem, odd sizes
    [InlineData(5, 60, 57, 9, 3, 2, 1, 5)]       // stride 2 in row blocks
    [InlineData(3, 61, 59, 10, 7, 2, 3, 0)]      // the 7×7 stride-2 stem (SqueezeNet 1.0's conv1)
    [InlineData(4, 40, 41, 8, 3, 1, 0, 3)]       // unpadded 3×3: the border is never read
    [InlineData(2, 80, 77, 11, 3, 3, 1, 4)]      // stride 3
    public void Matches_im2col_to_the_bit_and_float64(int inC, int h, int w, int outC, int kernel, int stride, int pad, int blockRows)
    {
        var g = new ConvGeometry(inC, h, w, outC, kernel, kernel, stride, stride, pad, pad, 1);
        if (!PackedGemm.IsSupported) return;
        var random = new Random(inC * 1000 + h * 10 + outC);
        float[] input = Values(random, inC * h * w, 3), weights = Values(random, outC * g.FilterLength, 0.5f), bias = Values(random, outC, 1);
        int k = g.FilterLength, n = g.OutPlane, panels = (outC + PackedGemm.PanelRows - 1) / PackedGemm.PanelRows;
        var packed = new float[PackedGemm.PackedLength(outC, k)];
        PackedGemm.Pack(weights, bias, k, 0, outC, packed);
        var columns = new float[k * n];
        Im2Col.Unfold(input, columns, g);

        var layout = PhasePlane.For(g);
        var planes = new float[Im2Col.PhasePlanesLength(g, layout)];
        Im2Col.SplitPhases(input, planes, g, layout);
        int[] offsets = StreamConv.TapOffsets(g, layout);
        int rows = blockRows == 0 ? g.OutHeight : blockRows;
        foreach (var activation in new[] { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6 })
        {
            var expected = new float[outC * n];
            PackedGemm.MultiplyPacked(packed, columns, expected, n, k, outC, activation);

            var actual = new float[outC * n + 1];
            actual[^1] = 12345f; // a write past the output would show here
            var stream = new float[StreamConv.StreamLength(panels, 0, rows * layout.Tx)];
            for (int oy = 0; oy < g.OutHeight; oy += rows)
                StreamConv.Multiply(packed, panels, outC, offsets, planes, layout, oy * layout.Tx, Math.Min(g.OutHeight, oy + rows) * layout.Tx,
                    stream, actual.AsSpan(0, outC * n), n, activation);
            Assert.Equal(12345f, actual[^1]);
            Assert.Equal(expected, actual[..^1]);

            float[] exact = Float64Reference.Conv(input, 1, inC, h, w, outC, kernel, kernel, stride, pad, 1, weights, bias);
            if (activation != FusedActivation.None)
                for (int i = 0; i < exact.Length; i++) exact[i] = Math.Clamp(exact[i], 0, activation == FusedActivation.Relu6 ? 6 : float.PositiveInfinity);
            Assertions.Close(exact, actual[..^1], 1e-5);
        }
    }

    [Fact]
    public void Pays_for_wide_planes_only()
    {
        if (!PackedGemm.IsSupported) return;
        Assert.True(StreamConv.Pays(new ConvGeometry(16, 55, 55, 64, 3, 3, 1, 1, 1, 1, 1)));
        Assert.True(StreamConv.Pays(new ConvGeometry(32, 112, 112, 64, 3, 3, 2, 2, 1, 1, 1)));
        Assert.True(StreamConv.Pays(new ConvGeometry(32, 56, 56, 32, 3, 3, 1, 1, 1, 1, 4)));
        Assert.False(StreamConv.Pays(new ConvGeometry(3, 224, 224, 32, 3, 3, 2, 2, 1, 1, 1)));
        Assert.True(StreamConv.Pays(new ConvGeometry(3, 224, 224, 96, 7, 7, 2, 2, 3, 3, 1)));
        Assert.False(StreamConv.Pays(new ConvGeometry(64, 13, 13, 256, 3, 3, 1, 1, 1, 1, 1)));
        Assert.False(StreamConv.Pays(new ConvGeometry(64, 27, 27, 64, 1, 1, 1, 1, 0, 0, 1)));
    }

    private static float[] Values(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
