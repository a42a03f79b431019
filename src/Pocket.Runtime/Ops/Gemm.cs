using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Row-major C = A·B + bias (bias per row of C), the inner product of convolution: A is the filter bank
/// (outC × K), B the im2col matrix (K × pixels).
/// <para>Blocking, and why: the micro-kernel keeps a 4-row × 2-vector tile of C in registers, so each B vector
/// loaded feeds 4 FMAs and each A element is broadcast once per tile. Column tiles are the outer loop and rows the
/// inner one, so a K-slice of one B column panel (≤ <see cref="KBlock"/> × 2 vectors, ≤ 16 KB) stays in L1 while
/// every filter passes over it; with rows outer, B (often megabytes) would stream from memory once per 4 filters.</para>
/// <para>Every C element is one FMA chain over p = 0..K−1 starting from its bias, whatever the blocking, row split
/// or tail path, so results do not depend on thread count or tile position.</para>
/// <see cref="Vector{T}"/> keeps it portable: 256-bit on AVX2 desktops, 128-bit NEON on phones.
/// </summary>
internal static class Gemm
{
    private const int KBlock = 256;

    /// <summary>Computes rows [rowStart, rowEnd) of C (m × n) = activation(A (m × k) · B (k × n) + bias).</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int rowStart, int rowEnd, FusedActivation activation = FusedActivation.None)
    {
        if (PackedGemm.IsSupported)
        {
            PackedGemm.Multiply(a, b, c, bias, n, k, rowStart, rowEnd, activation);
            return;
        }
        MultiplyPortable(a, b, c, bias, n, k, rowStart, rowEnd);
        if (rowEnd > rowStart) activation.ApplyInPlace(c[(rowStart * n)..(rowEnd * n)]);
    }

    private static void MultiplyPortable(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int rowStart, int rowEnd)
    {
        int w = Vector<float>.Count;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);

        for (int k0 = 0; k0 < k; k0 += KBlock)
        {
            int kc = Math.Min(KBlock, k - k0);
            bool first = k0 == 0;
            int j = 0;
            for (; j + 2 * w <= n; j += 2 * w)
            {
                int i = rowStart;
                for (; i + 4 <= rowEnd; i += 4) Tile4x2(ref aRef, ref bRef, ref cRef, ref biasRef, i, j, k0, kc, n, k, first);
                for (; i < rowEnd; i++)
                {
                    Tile1x1(ref aRef, ref bRef, ref cRef, ref biasRef, i, j, k0, kc, n, k, first);
                    Tile1x1(ref aRef, ref bRef, ref cRef, ref biasRef, i, j + w, k0, kc, n, k, first);
                }
            }
            for (; j + w <= n; j += w)
                for (int i = rowStart; i < rowEnd; i++) Tile1x1(ref aRef, ref bRef, ref cRef, ref biasRef, i, j, k0, kc, n, k, first);
            for (; j < n; j++)
            {
                for (int i = rowStart; i < rowEnd; i++)
                {
                    ref float ai = ref Unsafe.Add(ref aRef, (nint)i * k + k0);
                    ref float cij = ref Unsafe.Add(ref cRef, (nint)i * n + j);
                    float s = first ? Unsafe.Add(ref biasRef, i) : cij;
                    for (int p = 0; p < kc; p++) s = MulAdd.Of(Unsafe.Add(ref ai, p), Unsafe.Add(ref bRef, (nint)(k0 + p) * n + j), s);
                    cij = s;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2(ref float aRef, ref float bRef, ref float cRef, ref float biasRef, int i, int j, int k0, int kc, int n, int k, bool first)
    {
        int w = Vector<float>.Count;
        ref float a0 = ref Unsafe.Add(ref aRef, (nint)i * k + k0);
        ref float a1 = ref Unsafe.Add(ref a0, k);
        ref float a2 = ref Unsafe.Add(ref a1, k);
        ref float a3 = ref Unsafe.Add(ref a2, k);
        ref float c0 = ref Unsafe.Add(ref cRef, (nint)i * n + j);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        Vector<float> s00, s01, s10, s11, s20, s21, s30, s31;
        if (first)
        {
            s00 = s01 = new Vector<float>(Unsafe.Add(ref biasRef, i));
            s10 = s11 = new Vector<float>(Unsafe.Add(ref biasRef, i + 1));
            s20 = s21 = new Vector<float>(Unsafe.Add(ref biasRef, i + 2));
            s30 = s31 = new Vector<float>(Unsafe.Add(ref biasRef, i + 3));
        }
        else
        {
            s00 = Vector.LoadUnsafe(ref c0); s01 = Vector.LoadUnsafe(ref c0, (nuint)w);
            s10 = Vector.LoadUnsafe(ref c1); s11 = Vector.LoadUnsafe(ref c1, (nuint)w);
            s20 = Vector.LoadUnsafe(ref c2); s21 = Vector.LoadUnsafe(ref c2, (nuint)w);
            s30 = Vector.LoadUnsafe(ref c3); s31 = Vector.LoadUnsafe(ref c3, (nuint)w);
        }

        ref float bCol = ref Unsafe.Add(ref bRef, (nint)k0 * n + j);
        for (int p = 0; p < kc; p++)
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
        s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, (nuint)w);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, (nuint)w);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, (nuint)w);
        s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, (nuint)w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x1(ref float aRef, ref float bRef, ref float cRef, ref float biasRef, int i, int j, int k0, int kc, int n, int k, bool first)
    {
        ref float a0 = ref Unsafe.Add(ref aRef, (nint)i * k + k0);
        ref float c0 = ref Unsafe.Add(ref cRef, (nint)i * n + j);
        Vector<float> s = first ? new Vector<float>(Unsafe.Add(ref biasRef, i)) : Vector.LoadUnsafe(ref c0);
        ref float bCol = ref Unsafe.Add(ref bRef, (nint)k0 * n + j);
        for (int p = 0; p < kc; p++)
            s = MulAdd.Of(new Vector<float>(Unsafe.Add(ref a0, p)), Vector.LoadUnsafe(ref Unsafe.Add(ref bCol, (nint)p * n)), s);
        s.StoreUnsafe(ref c0);
    }
}
