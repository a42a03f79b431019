using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Row-major C = A·B + bias (bias per row of C), the inner product of convolution: A is the filter bank
/// (outC × K), B the im2col matrix (K × pixels). Register-blocked 4 rows × 2 vectors: each B vector loaded
/// is used for 4 FMAs and each A element broadcast once per tile, so the loop is compute-bound instead of
/// load-bound. <see cref="Vector{T}"/> keeps it portable: 256-bit on AVX2 desktops, 128-bit NEON on phones.
/// </summary>
internal static class Gemm
{
    /// <summary>Computes rows [rowStart, rowEnd) of C (m × n) = A (m × k) · B (k × n) + bias.</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int rowStart, int rowEnd)
    {
        int w = Vector<float>.Count;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);

        int i = rowStart;
        for (; i + 4 <= rowEnd; i += 4)
        {
            ref float a0 = ref Unsafe.Add(ref aRef, (nint)i * k);
            ref float a1 = ref Unsafe.Add(ref a0, k);
            ref float a2 = ref Unsafe.Add(ref a1, k);
            ref float a3 = ref Unsafe.Add(ref a2, k);
            float bias0 = bias[i], bias1 = bias[i + 1], bias2 = bias[i + 2], bias3 = bias[i + 3];
            ref float c0 = ref Unsafe.Add(ref cRef, (nint)i * n);
            ref float c1 = ref Unsafe.Add(ref c0, n);
            ref float c2 = ref Unsafe.Add(ref c1, n);
            ref float c3 = ref Unsafe.Add(ref c2, n);

            int j = 0;
            for (; j + 2 * w <= n; j += 2 * w)
            {
                Vector<float> s00 = new(bias0), s01 = s00, s10 = new(bias1), s11 = s10;
                Vector<float> s20 = new(bias2), s21 = s20, s30 = new(bias3), s31 = s30;
                ref float bCol = ref Unsafe.Add(ref bRef, j);
                for (int p = 0; p < k; p++)
                {
                    ref float bRow = ref Unsafe.Add(ref bCol, (nint)p * n);
                    Vector<float> b0 = Vector.LoadUnsafe(ref bRow);
                    Vector<float> b1 = Vector.LoadUnsafe(ref bRow, (nuint)w);
                    Vector<float> x0 = new(Unsafe.Add(ref a0, p));
                    Vector<float> x1 = new(Unsafe.Add(ref a1, p));
                    Vector<float> x2 = new(Unsafe.Add(ref a2, p));
                    Vector<float> x3 = new(Unsafe.Add(ref a3, p));
                    s00 = MulAdd.Of(x0, b0, s00); s01 = MulAdd.Of(x0, b1, s01);
                    s10 = MulAdd.Of(x1, b0, s10); s11 = MulAdd.Of(x1, b1, s11);
                    s20 = MulAdd.Of(x2, b0, s20); s21 = MulAdd.Of(x2, b1, s21);
                    s30 = MulAdd.Of(x3, b0, s30); s31 = MulAdd.Of(x3, b1, s31);
                }
                s00.StoreUnsafe(ref c0, (nuint)j); s01.StoreUnsafe(ref c0, (nuint)(j + w));
                s10.StoreUnsafe(ref c1, (nuint)j); s11.StoreUnsafe(ref c1, (nuint)(j + w));
                s20.StoreUnsafe(ref c2, (nuint)j); s21.StoreUnsafe(ref c2, (nuint)(j + w));
                s30.StoreUnsafe(ref c3, (nuint)j); s31.StoreUnsafe(ref c3, (nuint)(j + w));
            }
            for (; j + w <= n; j += w)
            {
                Vector<float> s0 = new(bias0), s1 = new(bias1), s2 = new(bias2), s3 = new(bias3);
                ref float bCol = ref Unsafe.Add(ref bRef, j);
                for (int p = 0; p < k; p++)
                {
                    Vector<float> b0 = Vector.LoadUnsafe(ref Unsafe.Add(ref bCol, (nint)p * n));
                    s0 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a0, p)), b0, s0);
                    s1 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a1, p)), b0, s1);
                    s2 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a2, p)), b0, s2);
                    s3 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a3, p)), b0, s3);
                }
                s0.StoreUnsafe(ref c0, (nuint)j); s1.StoreUnsafe(ref c1, (nuint)j);
                s2.StoreUnsafe(ref c2, (nuint)j); s3.StoreUnsafe(ref c3, (nuint)j);
            }
            for (; j < n; j++)
            {
                float s0 = bias0, s1 = bias1, s2 = bias2, s3 = bias3;
                for (int p = 0; p < k; p++)
                {
                    float bv = Unsafe.Add(ref bRef, (nint)p * n + j);
                    s0 = MulAdd.Of(Unsafe.Add(ref a0, p), bv, s0);
                    s1 = MulAdd.Of(Unsafe.Add(ref a1, p), bv, s1);
                    s2 = MulAdd.Of(Unsafe.Add(ref a2, p), bv, s2);
                    s3 = MulAdd.Of(Unsafe.Add(ref a3, p), bv, s3);
                }
                Unsafe.Add(ref c0, j) = s0; Unsafe.Add(ref c1, j) = s1;
                Unsafe.Add(ref c2, j) = s2; Unsafe.Add(ref c3, j) = s3;
            }
        }

        for (; i < rowEnd; i++)
        {
            ref float a0 = ref Unsafe.Add(ref aRef, (nint)i * k);
            ref float c0 = ref Unsafe.Add(ref cRef, (nint)i * n);
            float bias0 = bias[i];
            int j = 0;
            for (; j + w <= n; j += w)
            {
                Vector<float> s0 = new(bias0);
                ref float bCol = ref Unsafe.Add(ref bRef, j);
                for (int p = 0; p < k; p++)
                    s0 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a0, p)), Vector.LoadUnsafe(ref Unsafe.Add(ref bCol, (nint)p * n)), s0);
                s0.StoreUnsafe(ref c0, (nuint)j);
            }
            for (; j < n; j++)
            {
                float s0 = bias0;
                for (int p = 0; p < k; p++)
                    s0 = MulAdd.Of(Unsafe.Add(ref a0, p), Unsafe.Add(ref bRef, (nint)p * n + j), s0);
                Unsafe.Add(ref c0, j) = s0;
            }
        }
    }
}
