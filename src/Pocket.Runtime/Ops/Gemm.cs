using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Row-major C = A·B + bias (bias per row of C), the inner product of convolution: A is the filter bank
/// (outC × K), B the im2col matrix (K × pixels).
/// <para>Blocking, and why (as MLAS's FMA3 SGEMM): the micro-kernel keeps a <see cref="TileRows"/>-row × 2-vector
/// tile of C in registers, so each B vector loaded feeds 6 FMAs and each A element is broadcast once per tile. B is
/// copied, a K-slice (<see cref="KBlock"/>) of <see cref="NBlock"/> columns at a time, into contiguous 2-vector panels
/// (≤ 128 KB, L2); each row tile then runs over all of the block's panels, its rows of A staying in L1. Left-over
/// rows and columns run the same tile on zero-padded copies, so no part of C is computed as a lone FMA chain.
/// Measured on AVX2 (Zen 3), MobileNet α 1.0 at 224: the old 4-row tile with 1-vector and scalar tails, B read in
/// place, ran the 14×14 and 7×7 pointwise layers 1.5–2× as long as the equal-work 28×28 ones; padded tails, the
/// contiguous B panel, 6 rows and the 128-column blocks took the model from 2.2× to about 1.4× ONNX Runtime's time
/// (bench/results/runtime.md, session 12).</para>
/// <para>Every C element is one FMA chain over p = 0..K−1 starting from its bias, whatever the blocking, row split
/// or tail path, so results do not depend on thread count or tile position.</para>
/// <see cref="Vector{T}"/> keeps it portable: 256-bit on AVX2 desktops, 128-bit NEON on phones.
/// </summary>
internal static class Gemm
{
    private const int KBlock = 256;

    /// <summary>Rows of C per register tile: 6 × 2 vectors is 12 accumulators, 2 B loads and 6 broadcasts per 12 FMAs
    /// (MLAS's FMA3 SGEMM tile); 15 of AVX2's 16 vector registers.</summary>
    internal const int TileRows = 6;

    /// <summary>Columns of B packed per block: with K-slices of 256, 128 KB (half of a 512 KB L2).</summary>
    private const int NBlock = 128;

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

    /// <summary>The portable kernel whatever the CPU (<see cref="Multiply"/> without the activation): what AVX2 and
    /// ARM64 run, callable where AVX-512 would take <see cref="PackedGemm"/> instead, for tests.</summary>
    internal static void MultiplyPortable(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int rowStart, int rowEnd)
    {
        if (rowEnd > rowStart && (a.Length < (long)rowEnd * k || b.Length < (long)k * n || c.Length < (long)rowEnd * n || bias.Length < rowEnd))
            throw new ArgumentException("GEMM buffers are smaller than the matrix sizes");
        int w = Vector<float>.Count, tileW = 2 * w;
        if (rowEnd <= rowStart || n <= 0) return;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        ref float biasRef = ref MemoryMarshal.GetReference(bias);
        int fullEnd = rowStart + (rowEnd - rowStart) / TileRows * TileRows, extraRows = rowEnd - fullEnd;

        // Tails go through the same tile, on zero-padded copies: the left-over rows of A (per K-block) and the
        // left-over columns of B (per K-block), with a scratch C tile. A 1-row or 1-column tail computed alone is one
        // dependent FMA chain per element, bound by FMA latency: MobileNet's 512×512 pointwise layers at 14×14
        // (196 = 12 tiles + 4 columns) ran 1.5–2× as long as the equal-work 256×256 ones at 28×28 (no tail) on AVX2.
        float[] padded = ArrayPool<float>.Shared.Rent(TileRows * KBlock + KBlock * NBlock + TileRows + TileRows * tileW);
        try
        {
            Span<float> scratch = padded;
            ref float aTail = ref MemoryMarshal.GetReference(scratch);                            // TileRows × kc
            ref float bPanels = ref Unsafe.Add(ref aTail, TileRows * KBlock);                     // NBlock / tileW panels of kc × tileW
            ref float biasTail = ref Unsafe.Add(ref bPanels, KBlock * NBlock);                    // TileRows
            ref float cTile = ref Unsafe.Add(ref biasTail, TileRows);                             // TileRows × tileW
            if (extraRows > 0)
            {
                scratch.Slice(TileRows * KBlock + KBlock * NBlock, TileRows).Clear();
                for (int r = 0; r < extraRows; r++) Unsafe.Add(ref biasTail, r) = Unsafe.Add(ref biasRef, fullEnd + r);
            }

            for (int k0 = 0; k0 < k; k0 += KBlock)
            {
                int kc = Math.Min(KBlock, k - k0);
                bool first = k0 == 0;
                if (extraRows > 0)
                {
                    scratch[..(TileRows * kc)].Clear();
                    for (int r = 0; r < extraRows; r++)
                        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref aRef, (nint)(fullEnd + r) * k + k0), kc)
                            .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref aTail, r * kc), kc));
                }
                ref float bBlock = ref Unsafe.Add(ref bRef, (nint)k0 * n);
                for (int j0 = 0; j0 < n; j0 += NBlock)
                {
                    // The block's K-slice of B copied contiguous, one 2-vector panel per tile (MLAS packs B likewise;
                    // ≤ 128 KB, L2), the last panel zero-padded past n. Read in place, each row's two vectors sit n
                    // floats from the next row's and straddle cache lines whenever n is not a multiple of 16 (196,
                    // 49). Rows are then outer: a tile's 6 rows of A stay in L1 across the block's panels.
                    int j1 = Math.Min(n, j0 + NBlock), panels = (j1 - j0 + tileW - 1) / tileW;
                    for (int t = 0; t < panels; t++)
                    {
                        int j = j0 + t * tileW, columns = Math.Min(tileW, n - j);
                        ref float panel = ref Unsafe.Add(ref bPanels, t * KBlock * tileW);
                        for (int p = 0; p < kc; p++)
                        {
                            Span<float> to = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panel, p * tileW), tileW);
                            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref bBlock, (nint)p * n + j), columns).CopyTo(to);
                            if (columns < tileW) to[columns..].Clear();
                        }
                    }
                    for (int i = rowStart; i < fullEnd; i += TileRows)
                        for (int t = 0; t < panels; t++)
                        {
                            int j = j0 + t * tileW, columns = Math.Min(tileW, n - j);
                            ref float panel = ref Unsafe.Add(ref bPanels, t * KBlock * tileW);
                            if (columns == tileW)
                                Tile6x2(ref Unsafe.Add(ref aRef, (nint)i * k + k0), k, ref panel, tileW,
                                    ref Unsafe.Add(ref cRef, (nint)i * n + j), n, ref Unsafe.Add(ref biasRef, i), kc, first);
                            else
                                TileThroughScratch(ref Unsafe.Add(ref aRef, (nint)i * k + k0), k, ref panel, tileW, ref Unsafe.Add(ref cRef, (nint)i * n + j), n,
                                    ref Unsafe.Add(ref biasRef, i), kc, first, TileRows, columns, ref cTile);
                        }
                    if (extraRows > 0)
                        for (int t = 0; t < panels; t++)
                        {
                            int j = j0 + t * tileW, columns = Math.Min(tileW, n - j);
                            TileThroughScratch(ref aTail, kc, ref Unsafe.Add(ref bPanels, t * KBlock * tileW), tileW,
                                ref Unsafe.Add(ref cRef, (nint)fullEnd * n + j), n, ref biasTail, kc, first, extraRows, columns, ref cTile);
                        }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    /// <summary>A <see cref="TileRows"/> × 2-vector tile whose C block is only rows × columns: computed into <paramref name="cTile"/> (row
    /// stride 2 vectors, loaded from C first unless this is the first K-block) and its valid part copied out. The
    /// padding rows and columns are computed from zeros and never stored.</summary>
    private static void TileThroughScratch(ref float a, int lda, ref float b, int ldb, ref float c, int ldc, ref float bias, int kc, bool first,
        int rows, int columns, ref float cTile)
    {
        int tileW = 2 * Vector<float>.Count;
        if (!first)
            for (int r = 0; r < rows; r++)
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref c, (nint)r * ldc), columns).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref cTile, r * tileW), columns));
        Tile6x2(ref a, lda, ref b, ldb, ref cTile, tileW, ref bias, kc, first);
        for (int r = 0; r < rows; r++)
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref cTile, r * tileW), columns).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)r * ldc), columns));
    }

    /// <summary>C[0..6, 0..2w) over one K-block of kc: a0 is A's row 0 at the block's first column (rows lda apart),
    /// b B's row k0 at the tile's first column (rows ldb apart), c the tile's corner (rows ldc apart).</summary>
    private static void Tile6x2(ref float a0, int lda, ref float bCol, int ldb, ref float c0, int ldc, ref float bias, int kc, bool first)
    {
        int w = Vector<float>.Count;
        ref float a1 = ref Unsafe.Add(ref a0, lda);
        ref float a2 = ref Unsafe.Add(ref a1, lda);
        ref float a3 = ref Unsafe.Add(ref a2, lda);
        ref float a4 = ref Unsafe.Add(ref a3, lda);
        ref float a5 = ref Unsafe.Add(ref a4, lda);
        ref float c1 = ref Unsafe.Add(ref c0, ldc);
        ref float c2 = ref Unsafe.Add(ref c1, ldc);
        ref float c3 = ref Unsafe.Add(ref c2, ldc);
        ref float c4 = ref Unsafe.Add(ref c3, ldc);
        ref float c5 = ref Unsafe.Add(ref c4, ldc);
        Vector<float> s00, s01, s10, s11, s20, s21, s30, s31, s40, s41, s50, s51;
        if (first)
        {
            s00 = s01 = new Vector<float>(bias);
            s10 = s11 = new Vector<float>(Unsafe.Add(ref bias, 1));
            s20 = s21 = new Vector<float>(Unsafe.Add(ref bias, 2));
            s30 = s31 = new Vector<float>(Unsafe.Add(ref bias, 3));
            s40 = s41 = new Vector<float>(Unsafe.Add(ref bias, 4));
            s50 = s51 = new Vector<float>(Unsafe.Add(ref bias, 5));
        }
        else
        {
            s00 = Vector.LoadUnsafe(ref c0); s01 = Vector.LoadUnsafe(ref c0, (nuint)w);
            s10 = Vector.LoadUnsafe(ref c1); s11 = Vector.LoadUnsafe(ref c1, (nuint)w);
            s20 = Vector.LoadUnsafe(ref c2); s21 = Vector.LoadUnsafe(ref c2, (nuint)w);
            s30 = Vector.LoadUnsafe(ref c3); s31 = Vector.LoadUnsafe(ref c3, (nuint)w);
            s40 = Vector.LoadUnsafe(ref c4); s41 = Vector.LoadUnsafe(ref c4, (nuint)w);
            s50 = Vector.LoadUnsafe(ref c5); s51 = Vector.LoadUnsafe(ref c5, (nuint)w);
        }

        for (int p = 0; p < kc; p++)
        {
            ref float bRow = ref Unsafe.Add(ref bCol, (nint)p * ldb);
            Vector<float> b0 = Vector.LoadUnsafe(ref bRow);
            Vector<float> b1 = Vector.LoadUnsafe(ref bRow, (nuint)w);
            Vector<float> x = new(Unsafe.Add(ref a0, p));
            s00 = MulAdd.Of(x, b0, s00); s01 = MulAdd.Of(x, b1, s01);
            x = new(Unsafe.Add(ref a1, p));
            s10 = MulAdd.Of(x, b0, s10); s11 = MulAdd.Of(x, b1, s11);
            x = new(Unsafe.Add(ref a2, p));
            s20 = MulAdd.Of(x, b0, s20); s21 = MulAdd.Of(x, b1, s21);
            x = new(Unsafe.Add(ref a3, p));
            s30 = MulAdd.Of(x, b0, s30); s31 = MulAdd.Of(x, b1, s31);
            x = new(Unsafe.Add(ref a4, p));
            s40 = MulAdd.Of(x, b0, s40); s41 = MulAdd.Of(x, b1, s41);
            x = new(Unsafe.Add(ref a5, p));
            s50 = MulAdd.Of(x, b0, s50); s51 = MulAdd.Of(x, b1, s51);
        }
        s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, (nuint)w);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, (nuint)w);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, (nuint)w);
        s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, (nuint)w);
        s40.StoreUnsafe(ref c4); s41.StoreUnsafe(ref c4, (nuint)w);
        s50.StoreUnsafe(ref c5); s51.StoreUnsafe(ref c5, (nuint)w);
    }
}
