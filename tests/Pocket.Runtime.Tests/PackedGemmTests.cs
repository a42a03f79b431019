using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The AVX-512 GEMM (<see cref="PackedGemm"/>) against float64, and to the bit against the portable GEMM (each C
/// element is one FMA chain from its bias in both), at sizes that reach every path: fewer than 16 columns (all
/// transposed), a remainder past a multiple of 16 of 1 or 2 (transposed) and of 9 or more (a zero-padded packed panel),
/// rows not a multiple of the 8-row panel, B whole in L2 (K unblocked) and B blocked in K with a short last slice,
/// columns read in place and a packed last group, ReLU6 fused, and a block of columns of a wider B and C (how threads
/// split 1×1 convolutions). Off AVX-512, <see cref="System.Runtime.Intrinsics.Vector512"/> runs in software with the
/// same fused arithmetic, so the same cases hold on every machine.
/// </summary>
public class PackedGemmTests
{
    [Theory]
    [InlineData(5, 7, 30)]
    [InlineData(8, 16, 1)]
    [InlineData(13, 49, 257)]
    [InlineData(16, 50, 64)]
    [InlineData(9, 169, 512)]
    [InlineData(24, 51, 100)]
    [InlineData(11, 600, 300)]
    [InlineData(17, 330, 513)]
    public void Matches_float64_and_the_portable_gemm_to_the_bit(int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        float[] a = Values(random, m * k), b = Values(random, k * n), bias = Values(random, m);
        var packed = new float[PackedGemm.PackedLength(m, k)];
        PackedGemm.Pack(a, bias, k, 0, m, packed);
        var c = new float[m * n];
        PackedGemm.MultiplyPacked(packed, b, c, n, k, m);

        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double exact = bias[i], magnitude = Math.Abs(bias[i]);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[i * k + p] * b[p * n + j];
                    exact += term;
                    magnitude += Math.Abs(term);
                }
                // A float32 chain of k + 1 roundings: |error| ≤ (k + 1)·u·Σ|terms| (u = 2⁻²⁴), with room to spare.
                double bound = 2 * (k + 1) * Math.Pow(2, -24) * magnitude + 1e-30;
                Assert.True(Math.Abs(c[i * n + j] - exact) <= bound, $"C[{i},{j}] = {c[i * n + j]}, float64 {exact} (bound {bound:G3})");
            }

        var portable = new float[m * n];
        Gemm.MultiplyPortable(a, b, portable, bias, n, k, 0, m);
        Assert.Equal(portable, c);
    }

    [Theory]
    [InlineData(13, 169, 96, 40)]
    [InlineData(9, 700, 260, 333)]
    public void Column_blocks_of_a_wider_b_and_relu6_change_no_bit(int m, int n, int k, int split)
    {
        var random = new Random(m + n + k);
        float[] a = Values(random, m * k), b = Values(random, k * n), bias = Values(random, m);
        for (int i = 0; i < b.Length; i++) b[i] *= 8; // so ReLU6 clamps some outputs at both ends
        var packed = new float[PackedGemm.PackedLength(m, k)];
        PackedGemm.Pack(a, bias, k, 0, m, packed);
        var whole = new float[m * n];
        PackedGemm.MultiplyPacked(packed, b, whole, n, n, n, k, m, FusedActivation.Relu6);
        Assert.Contains(whole, v => v == 6f);
        Assert.Contains(whole, v => v == 0f);

        var blocks = new float[m * n];
        PackedGemm.MultiplyPacked(packed, b, blocks, split, n, n, k, m, FusedActivation.Relu6);
        PackedGemm.MultiplyPacked(packed, b.AsSpan(split), blocks.AsSpan(split), n - split, n, n, k, m, FusedActivation.Relu6);
        Assert.Equal(whole, blocks);

        var expected = new float[m * n];
        Gemm.MultiplyPortable(a, b, expected, bias, n, k, 0, m);
        FusedActivation.Relu6.ApplyInPlace(expected);
        Assert.Equal(expected, whole);
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
