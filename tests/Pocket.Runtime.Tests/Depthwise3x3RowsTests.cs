using System.Runtime.Intrinsics.X86;
using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The AVX-512 row kernel for 3×3 depthwise planes (<see cref="Depthwise3x3Rows"/>) to the bit against the phase-plane
/// path every other CPU runs (<see cref="PhasePlane"/> + <see cref="WindowStream.MultiplyAdd"/> + compaction), and
/// against float64: planes from 1×1 up, widths not a multiple of 16 and exact multiples (where the taps past the row
/// must be zeros, not the next row), odd heights (a last output row without a partner), stride 1 and 2, each fused
/// activation. Needs AVX-512: elsewhere the kernel is never chosen and this test has nothing to run.
/// </summary>
public class Depthwise3x3RowsTests
{
    public static TheoryData<int, int, int> Planes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int stride in new[] { 1, 2 })
            foreach (var (h, w) in new[] { (1, 1), (2, 3), (5, 7), (7, 7), (14, 14), (15, 17), (16, 16), (9, 32), (17, 33), (28, 28), (4, 50), (3, 15), (6, 31), (5, 47), (56, 56) })
                data.Add(h, w, stride);
        return data;
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public void Matches_the_phase_plane_path_to_the_bit_and_float64(int h, int w, int stride)
    {
        if (!Avx512F.IsSupported) return;
        var g = new ConvGeometry(1, h, w, 1, 3, 3, stride, stride, 1, 1, 1);
        Assert.True(Depthwise3x3Rows.Serves(g));
        var random = new Random(h * 100 + w * 3 + stride);
        float[] plane = Values(random, h * w, 4), kernel = Values(random, 9, 1);
        float bias = (float)random.NextDouble() - 0.5f;
        foreach (var activation in new[] { FusedActivation.None, FusedActivation.Relu, FusedActivation.Relu6 })
        {
            var rows = new float[g.OutPlane + 1];
            rows[^1] = 12345f; // a write past the plane would show here
            Depthwise3x3Rows.Plane(plane, h, w, stride, kernel, bias, rows, g.OutHeight, g.OutWidth, activation);
            Assert.Equal(12345f, rows[^1]);

            var layout = PhasePlane.For(g);
            var buffer = new float[layout.Length];
            var stream = new float[WindowStream.StreamBufferLength(layout.StreamLength)];
            var offsets = new int[9];
            for (int t = 0; t < 9; t++) offsets[t] = layout.TapOffset(t / 3, t % 3);
            layout.Fill(plane, buffer, 0f);
            WindowStream.MultiplyAdd(buffer, offsets, kernel, bias, stream, layout.StreamLength);
            var expected = new float[g.OutPlane];
            layout.Compact(stream, expected, activation);
            Assert.Equal(expected, rows[..^1]);

            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    double exact = bias, magnitude = Math.Abs(bias);
                    for (int t = 0; t < 9; t++)
                    {
                        int y = oy * stride - 1 + t / 3, x = ox * stride - 1 + t % 3;
                        if (y < 0 || y >= h || x < 0 || x >= w) continue;
                        double term = (double)kernel[t] * plane[y * w + x];
                        exact += term;
                        magnitude += Math.Abs(term);
                    }
                    if (activation != FusedActivation.None) exact = Math.Max(exact, 0);
                    if (activation == FusedActivation.Relu6) exact = Math.Min(exact, 6);
                    double bound = 20 * Math.Pow(2, -24) * magnitude + 1e-30;
                    Assert.True(Math.Abs(rows[oy * g.OutWidth + ox] - exact) <= bound, $"{activation} out[{oy},{ox}] = {rows[oy * g.OutWidth + ox]}, float64 {exact}");
                }
        }
    }

    private static float[] Values(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
