using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The portable GEMM (<see cref="Gemm.MultiplyPortable"/>: AVX2 and NEON; AVX-512 machines run no model through it)
/// against float64 at sizes that hit every path: rows not a multiple of the 6-row tile (left-over rows through the
/// padded tile), columns not a multiple of the 2-vector tile or of the 128-column B block, K over one and two K-blocks,
/// 1×1×1. And rows computed in two calls split anywhere must equal one call to the bit (threads split rows).
/// </summary>
public class PortableGemmTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 15, 9)]
    [InlineData(5, 17, 27)]
    [InlineData(6, 16, 256)]
    [InlineData(7, 49, 257)]
    [InlineData(13, 196, 300)]
    [InlineData(50, 64, 500)]
    [InlineData(12, 130, 513)]
    public void Matches_float64_and_splits_rows_without_changing_a_bit(int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        float[] a = Values(random, m * k), b = Values(random, k * n), bias = Values(random, m);
        var c = new float[m * n];
        Gemm.MultiplyPortable(a, b, c, bias, n, k, 0, m);

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

        foreach (int split in new[] { 1, m / 2, m - 1 })
        {
            if (split <= 0 || split >= m) continue;
            var halves = new float[m * n];
            Gemm.MultiplyPortable(a, b, halves, bias, n, k, 0, split);
            Gemm.MultiplyPortable(a, b, halves, bias, n, k, split, m);
            Assert.Equal(c, halves);
        }
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
