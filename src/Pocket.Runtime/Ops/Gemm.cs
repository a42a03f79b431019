using System.Buffers;
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
/// every filter passes over it; with rows outer, B (often megabytes) would stream from memory once per 4 filters.
/// Left-over rows (fewer than 4) and columns (fewer than 2 vectors) run the same tile on zero-padded copies, so no
/// part of C is computed as a lone FMA chain.</para>
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
        int w = Vector<float>.Count, tileW = 2 * w;
        if (rowEnd <= rowStart || n <= 0) return;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        int fullEnd = rowStart + (rowEnd - rowStart) / 4 * 4, extraRows = rowEnd - fullEnd;
        int fullColumns = n / tileW * tileW, extraColumns = n - fullColumns;

        // Tails go through the 4 × 2-vector tile too, on zero-padded copies: the left-over rows of A (per K-block) and
        // the left-over columns of B (per K-block), with a scratch C tile. A 1-row or 1-column tail computed alone is
        // one dependent FMA chain per element, bound by FMA latency: MobileNet's 512×512 pointwise layers at 14×14
        // (196 = 12 tiles + 4 columns) ran 1.5–2× as long as the equal-work 256×256 ones at 28×28 (no tail) on AVX2.
        float[] padded = ArrayPool<float>.Shared.Rent(4 * KBlock + KBlock * tileW + 4 + 4 * tileW);
        try
        {
            Span<float> scratch = padded;
            ref float aTail = ref MemoryMarshal.GetReference(scratch);                            // 4 × kc
            ref float bTail = ref Unsafe.Add(ref aTail, 4 * KBlock);                              // kc × tileW
            ref float biasTail = ref Unsafe.Add(ref bTail, KBlock * tileW);                       // 4
            ref float cTile = ref Unsafe.Add(ref biasTail, 4);                                    // 4 × tileW
            if (extraRows > 0)
            {
                scratch.Slice(4 * KBlock + KBlock * tileW, 4).Clear();
                for (int r = 0; r < extraRows; r++) Unsafe.Add(ref biasTail, r) = Unsafe.Add(ref biasRef, fullEnd + r);
            }

            for (int k0 = 0; k0 < k; k0 += KBlock)
            {
                int kc = Math.Min(KBlock, k - k0);
                bool first = k0 == 0;
                if (extraRows > 0)
                {
                    scratch[..(4 * kc)].Clear();
                    for (int r = 0; r < extraRows; r++)
                        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref aRef, (nint)(fullEnd + r) * k + k0), kc)
                            .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref aTail, r * kc), kc));
                }
                ref float bBlock = ref Unsafe.Add(ref bRef, (nint)k0 * n);
                for (int j = 0; j < fullColumns; j += tileW)
                {
                    for (int i = rowStart; i < fullEnd; i += 4)
                        Tile4x2(ref Unsafe.Add(ref aRef, (nint)i * k + k0), k, ref Unsafe.Add(ref bBlock, j), n,
                            ref Unsafe.Add(ref cRef, (nint)i * n + j), n, ref Unsafe.Add(ref biasRef, i), kc, first);
                    if (extraRows > 0)
                        TileThroughScratch(ref aTail, kc, ref Unsafe.Add(ref bBlock, j), n, ref Unsafe.Add(ref cRef, (nint)fullEnd * n + j), n,
                            ref biasTail, kc, first, extraRows, tileW, ref cTile);
                }
                if (extraColumns > 0)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Span<float> to = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref bTail, p * tileW), tileW);
                        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref bBlock, (nint)p * n + fullColumns), extraColumns).CopyTo(to);
                        to[extraColumns..].Clear();
                    }
                    for (int i = rowStart; i < fullEnd; i += 4)
                        TileThroughScratch(ref Unsafe.Add(ref aRef, (nint)i * k + k0), k, ref bTail, tileW, ref Unsafe.Add(ref cRef, (nint)i * n + fullColumns), n,
                            ref Unsafe.Add(ref biasRef, i), kc, first, 4, extraColumns, ref cTile);
                    if (extraRows > 0)
                        TileThroughScratch(ref aTail, kc, ref bTail, tileW, ref Unsafe.Add(ref cRef, (nint)fullEnd * n + fullColumns), n,
                            ref biasTail, kc, first, extraRows, extraColumns, ref cTile);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>A 4 × 2-vector tile whose C block is only rows × columns: computed into <paramref name="cTile"/> (row
    /// stride 2 vectors, loaded from C first unless this is the first K-block) and its valid part copied out. The
    /// padding rows and columns are computed from zeros and never stored.</summary>
    private static void TileThroughScratch(ref float a, int lda, ref float b, int ldb, ref float c, int ldc, ref float bias, int kc, bool first,
        int rows, int columns, ref float cTile)
    {
        int tileW = 2 * Vector<float>.Count;
        if (!first)
            for (int r = 0; r < rows; r++)
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref c, (nint)r * ldc), columns).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref cTile, r * tileW), columns));
        Tile4x2(ref a, lda, ref b, ldb, ref cTile, tileW, ref bias, kc, first);
        for (int r = 0; r < rows; r++)
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref cTile, r * tileW), columns).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)r * ldc), columns));
    }

    /// <summary>C[0..4, 0..2w) over one K-block of kc: a0 is A's row 0 at the block's first column (rows lda apart),
    /// b B's row k0 at the tile's first column (rows ldb apart), c the tile's corner (rows ldc apart).</summary>
    private static void Tile4x2(ref float a0, int lda, ref float bCol, int ldb, ref float c0, int ldc, ref float bias, int kc, bool first)
    {
        int w = Vector<float>.Count;
        ref float a1 = ref Unsafe.Add(ref a0, lda);
        ref float a2 = ref Unsafe.Add(ref a1, lda);
        ref float a3 = ref Unsafe.Add(ref a2, lda);
        ref float c1 = ref Unsafe.Add(ref c0, ldc);
        ref float c2 = ref Unsafe.Add(ref c1, ldc);
        ref float c3 = ref Unsafe.Add(ref c2, ldc);
        Vector<float> s00, s01, s10, s11, s20, s21, s30, s31;
        if (first)
        {
            s00 = s01 = new Vector<float>(bias);
            s10 = s11 = new Vector<float>(Unsafe.Add(ref bias, 1));
            s20 = s21 = new Vector<float>(Unsafe.Add(ref bias, 2));
            s30 = s31 = new Vector<float>(Unsafe.Add(ref bias, 3));
        }
        else
        {
            s00 = Vector.LoadUnsafe(ref c0); s01 = Vector.LoadUnsafe(ref c0, (nuint)w);
            s10 = Vector.LoadUnsafe(ref c1); s11 = Vector.LoadUnsafe(ref c1, (nuint)w);
            s20 = Vector.LoadUnsafe(ref c2); s21 = Vector.LoadUnsafe(ref c2, (nuint)w);
            s30 = Vector.LoadUnsafe(ref c3); s31 = Vector.LoadUnsafe(ref c3, (nuint)w);
        }

        for (int p = 0; p < kc; p++)
        {
            ref float bRow = ref Unsafe.Add(ref bCol, (nint)p * ldb);
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
}
