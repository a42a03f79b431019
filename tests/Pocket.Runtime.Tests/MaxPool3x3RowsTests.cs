using System.Runtime.Intrinsics.X86;
using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The AVX-512 row kernel for 3×3 stride-2 max pooling (<see cref="MaxPool3x3Rows"/>) against a scalar reference of
/// PyTorch's rule (the max over the window clipped to the input; max is exact, so equality is exact): padding 0 and
/// 1, floor and ceil mode (ceil-mode windows hang past the right and bottom edges), widths around multiples of 16 and
/// 32, a plane of 1×1, and a NaN, which must propagate. Needs AVX-512: elsewhere the kernel is never chosen.
/// </summary>
public class MaxPool3x3RowsTests
{
    public static TheoryData<int, int, int, bool> Planes()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int pad in new[] { 0, 1 })
            foreach (bool ceil in new[] { false, true })
                foreach (var (h, w) in new[] { (1, 1), (3, 3), (4, 5), (13, 13), (14, 14), (27, 27), (28, 28), (8, 31), (7, 32), (6, 33), (5, 63), (55, 55), (112, 112) })
                    data.Add(h, w, pad, ceil);
        return data;
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public void Matches_the_window_maxima_exactly(int h, int w, int pad, bool ceil)
    {
        if (!Avx512F.IsSupported) return;
        var g = new PoolGeometry(1, h, w, 3, 3, 2, 2, pad, pad, ceil);
        Assert.True(MaxPool3x3Rows.Serves(g));
        int outH = g.OutHeight, outW = g.OutWidth;
        if (outH == 0 || outW == 0) return;
        var random = new Random(h * 1000 + w * 10 + pad + (ceil ? 5 : 0));
        var plane = new float[h * w];
        for (int i = 0; i < plane.Length; i++) plane[i] = (float)(random.NextDouble() * 2 - 1) - 3; // all negative: a 0 from padding would win
        plane[random.Next(plane.Length)] = float.NaN;
        var output = new float[outH * outW + 1];
        output[^1] = 12345f;
        MaxPool3x3Rows.Plane(plane, h, w, pad, output, outH, outW);
        Assert.Equal(12345f, output[^1]);
        for (int oy = 0; oy < outH; oy++)
            for (int ox = 0; ox < outW; ox++)
            {
                float m = float.NegativeInfinity;
                for (int y = oy * 2 - pad; y < oy * 2 - pad + 3; y++)
                    for (int x = ox * 2 - pad; x < ox * 2 - pad + 3; x++)
                        if (y >= 0 && y < h && x >= 0 && x < w) m = MathF.Max(m, plane[y * w + x]);
                Assert.Equal(m, output[oy * outW + ox]);
            }
    }
}
