using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pocket.Runtime.Ops;

/// <summary>
/// C = A·B + bias with 512-bit vectors (AVX-512), the same contract as <see cref="Gemm.Multiply"/>, for CPUs where
/// <see cref="Vector512"/> is hardware accelerated (<see cref="System.Numerics.Vector{T}"/> stays 256-bit there, so
/// the portable GEMM leaves half of each FMA unit idle).
/// <para>Blocking, and why (as in MLAS's SGEMM kernels): A is held in panels of <see cref="PanelRows"/> rows, element
/// p of the 8 rows stored side by side (with the 8 biases first), so the micro-kernel broadcasts its 8 multipliers
/// from one cache line with a single pointer instead of 8 strided row pointers. <see cref="Conv2dOp"/> packs float
/// filters once at load (<see cref="Pack"/>, <see cref="MultiplyPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, FusedActivation)"/>);
/// <see cref="Multiply"/> packs the rows a call owns first (decoded quantized panels). The micro-kernel
/// keeps an 8-row × 32-column tile of C in 16 registers: each pair of B vectors loaded feeds 16 FMAs. For large B
/// column tiles are the outer loop, so a K-slice of the B panel (≤ 256 × 32 floats, 32 KB) stays in L1 while every
/// row panel passes over it; when B's K-slice fits in L2 the row panels are outer instead, so A is read once, and
/// when all of B fits K is not blocked at all. A last panel with fewer than 8 rows is padded with zero rows,
/// computed and not stored. B's columns past the last whole 32-wide tile are packed (<see cref="PackB"/>) into
/// zero-padded 16-wide panels and run through the same tiles into a scratch C tile; only a remainder of 1 or 2
/// columns (and a B narrower than 16) is computed transposed: a 256-bit vector holds a panel's 8 rows, each column
/// is broadcast from B, and four panels run side by side so the FMA chains are independent. The packed A is
/// prefetched ahead of the tiles (<see cref="PrefetchA"/>). A fused ReLU/ReLU6 clamps the accumulators before the
/// last K-slice's store.</para>
/// <para>Every C element is still one FMA chain over p = 0..K−1 starting from its bias, whichever tile computes
/// it, so results are bit-identical to <see cref="Gemm"/> and do not depend on thread count or vector width.</para>
/// </summary>
internal static class PackedGemm
{
    public const int PanelRows = 8;
    private const int KBlock = 256;
    private const int Wide = 16; // floats in a Vector512

    /// <summary>Bytes of B's K-slice below which row panels become the outer loop (half a typical 1 MB L2).</summary>
    private const long L2Budget = 512 * 1024;


    /// <summary>Whether this GEMM runs in hardware on this CPU (only then is it faster than <see cref="Gemm"/>).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated && MulAdd.HasFma;

    /// <summary>Floats of the packed panels for <paramref name="rows"/> rows of length <paramref name="k"/>.</summary>
    public static long PackedLength(int rows, int k) => (long)((rows + PanelRows - 1) / PanelRows) * PanelRows * (k + 1);

    /// <summary>Computes rows [rowStart, rowEnd) of C (m × n) = activation(A (m × k) · B (k × n) + bias), packing
    /// those rows of A first (per call; <see cref="Conv2dOp"/> packs float filters once at load instead).</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int rowStart, int rowEnd, FusedActivation activation = FusedActivation.None)
    {
        int rows = rowEnd - rowStart;
        if (rows <= 0) return;
        if (a.Length < (long)rowEnd * k || bias.Length < rowEnd)
            throw new ArgumentException("GEMM buffers are smaller than the matrix sizes");
        float[] packed = ArrayPool<float>.Shared.Rent((int)PackedLength(rows, k));
        try
        {
            Pack(a, bias, k, rowStart, rowEnd, packed);
            MultiplyPacked(packed, b, c.Slice(rowStart * n), n, k, rows, activation);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>
    /// C (rows × n) = activation(A · B + bias) for A already in panel layout (<see cref="Pack"/>: its first
    /// ⌈rows / 8⌉ panels are used). Packing at load is MLAS's "prepacked weights": on MobileNet's last
    /// 1024×1024 pointwise layer, packing per call took half of the layer's time (0.6 of 1.1 ms, measured).
    /// The activation is applied to the accumulators before the last K-slice's store (a fused epilogue, as
    /// MLAS's and XNNPACK's kernels clamp in-register), instead of another pass over C.
    /// </summary>
    public static void MultiplyPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> b, Span<float> c,
        int n, int k, int rows, FusedActivation activation = FusedActivation.None) =>
        MultiplyPacked(packed, b, c, n, n, k, rows, activation);

    /// <summary><see cref="MultiplyPacked(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, FusedActivation)"/>
    /// into C rows <paramref name="ldc"/> floats apart (a block of columns of a wider C).</summary>
    public static void MultiplyPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> b, Span<float> c,
        int n, int ldc, int k, int rows, FusedActivation activation) =>
        MultiplyPacked(packed, b, c, n, n, ldc, k, rows, activation);

    /// <summary>The same for n columns of a wider B (rows <paramref name="ldb"/> floats apart) into n columns of a
    /// wider C: a block of pixels of a 1×1 convolution, so threads can split the plane rather than the filters.</summary>
    public static void MultiplyPacked(ReadOnlySpan<float> packed, ReadOnlySpan<float> b, Span<float> c,
        int n, int ldb, int ldc, int k, int rows, FusedActivation activation)
    {
        if (rows <= 0 || n <= 0) return;
        int panels = (rows + PanelRows - 1) / PanelRows;
        if (ldc < n || ldb < n || packed.Length < PackedLength(rows, k) || b.Length < (long)(k - 1) * ldb + n || c.Length < (long)(rows - 1) * ldc + n)
            throw new ArgumentException("GEMM buffers are smaller than the matrix sizes");
        ref float packedRef = ref MemoryMarshal.GetReference(packed);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int panelLength = PanelRows * (k + 1); // the panel's bias first, then its k columns of 8
        Span<float> tile = stackalloc float[PanelRows * 2 * Wide];

        // When the whole of B fits in L2 (n = 49…196 at the end of MobileNet and SqueezeNet) K is not blocked at all:
        // each tile then loads and stores its C block once, and runs one long chain per accumulator. Blocking K at
        // 256 there cost 10–20 % (measured: 1000×512×169 1.24 → 1.05 ms, 1024×1024×49 0.77 → 0.69 ms).
        int kBlock = (long)k * n * sizeof(float) <= L2Budget ? k : KBlock;
        // A K-slice is packed whole only when it fits in L2Budget (plus the padding to 16 columns), and otherwise
        // fewer than 64 columns at a time.
        int kMax = Math.Min(kBlock, k);
        ref float bPanels = ref BPanelScratch(Math.Max(kMax * 4 * Wide, (int)(L2Budget / sizeof(float)) + kMax * Wide));
        for (int k0 = 0; k0 < k; k0 += kBlock)
        {
            int kc = Math.Min(kBlock, k - k0);
            var slice = new KSlice(k0, kc, k0 == 0, k0 + kc == k ? activation : FusedActivation.None);
            ref float bBlock = ref Unsafe.Add(ref bRef, (nint)k0 * ldb);
            if ((long)kc * n * sizeof(float) <= L2Budget)
            {
                // Small B (late, low-resolution layers: n = 49 or 196 but K and m up to 1024): B's K-slice stays
                // in L2 whole, so each panel of A is read once, from L1, across all columns. With columns outer,
                // megabytes of A would stream from memory once per 32 columns.
                int width = PaddedColumns(n);
                PackB(ref bBlock, ldb, kc, width, ref bPanels);
                // Left-over columns follow each group of 4 panels while its rows of A are still in cache: after all
                // panels, A (4 MB in MobileNet's last layer) streamed from memory a second time for one column of 49.
                for (int group = 0; group < panels; group += 4)
                {
                    int groupEnd = Math.Min(panels, group + 4);
                    for (int panel = group; panel < groupEnd; panel++)
                        PanelColumns(ref packedRef, panel, panelLength, rows, ref bPanels, 0, ref cRef, ldc, 0, width, slice, tile);
                    LeftoverColumns(ref packedRef, group, groupEnd, panelLength, rows, ref bBlock, ref cRef, ldb, ldc, width, n, slice);
                }
            }
            else
            {
                for (int j = 0; j < n; j += 2 * Wide)
                {
                    int j1 = n - j < 4 * Wide ? n : j + 2 * Wide; // the last tiles take every left-over column
                    // A 32-column tile's K-slice (32 KB) is read in place from L1 by every panel; only the last
                    // columns, padded to whole tiles, are packed (packing every tile cost 5–8 % at n ≥ 3,000).
                    int width = PaddedColumns(j1 - j);
                    bool pack = j1 == n && width % (2 * Wide) != 0;
                    if (pack) PackB(ref Unsafe.Add(ref bBlock, j), ldb, kc, width, ref bPanels);
                    for (int panel = 0; panel < panels; panel++)
                        if (pack)
                            PanelColumns(ref packedRef, panel, panelLength, rows, ref bPanels, 0, ref cRef, ldc, j, width, slice, tile);
                        else
                            PanelColumns(ref packedRef, panel, panelLength, rows, ref Unsafe.Add(ref bBlock, j), ldb, ref cRef, ldc, j, width, slice, tile);
                    if (j1 == n)
                    {
                        LeftoverColumns(ref packedRef, 0, panels, panelLength, rows, ref bBlock, ref cRef, ldb, ldc, j + width, n, slice);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// How many of n columns the 16-wide tiles take, the last panel zero-padded: all of them, unless the remainder
    /// past a multiple of 16 is 1 or 2 columns, which <see cref="LeftoverColumns"/> computes transposed for less
    /// than a padded tile costs. A remainder of 9 (n = 169, SqueezeNet's 13×13 layers) computed transposed made
    /// 1000×512×169 run at 68 GMAC/s against 118 for n = 160 (Zen 5); padded, it runs at 112. For n = 49 (remainder 1)
    /// the padded tile was slower (82 against 91 GMAC/s on 1024×1024×49).
    /// </summary>
    private static int PaddedColumns(int n) => n < Wide ? 0 : n % Wide is 1 or 2 ? n / Wide * Wide : n;

    /// <summary>This thread's buffer for B's packed panels, 64-byte aligned (pinned, so the alignment holds) and at
    /// least <paramref name="length"/> floats long.</summary>
    private static ref float BPanelScratch(int length)
    {
        float[]? buffer = t_bPanels;
        if (buffer is null || buffer.Length < length + Wide)
            t_bPanels = buffer = GC.AllocateUninitializedArray<float>(Math.Max(length + Wide, 64 * 1024), pinned: true);
        int misalignment = (int)((nint)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0) & 63) / sizeof(float);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), (Wide - misalignment) % Wide);
    }

    [ThreadStatic] private static float[]? t_bPanels;

    /// <summary>
    /// Columns [0, width) of a K-slice of B (kc rows, <paramref name="ldb"/> apart) copied into contiguous panels as
    /// MLAS packs B: the panel of columns [t, t + 32) (or a last [t, t + 16)) at t × kc, kc rows of its width, the
    /// last panel zero-padded past <paramref name="width"/> to a multiple of 16. Read in place, each row's vectors sit
    /// ldb floats from the next row's and straddle cache lines whenever ldb is not a multiple of 16 (169, 196, 49).
    /// </summary>
    private static void PackB(ref float b, int ldb, int kc, int width, ref float panels)
    {
        int t = 0, full = width / Wide * Wide;
        for (; t + 2 * Wide <= full; t += 2 * Wide)
        {
            ref float from = ref Unsafe.Add(ref b, t);
            ref float to = ref Unsafe.Add(ref panels, (nint)t * kc);
            for (int p = 0; p < kc; p++)
            {
                Vector512.LoadUnsafe(ref from).StoreUnsafe(ref to);
                Vector512.LoadUnsafe(ref from, Wide).StoreUnsafe(ref to, Wide);
                from = ref Unsafe.Add(ref from, ldb);
                to = ref Unsafe.Add(ref to, 2 * Wide);
            }
        }
        if (t < full)
        {
            ref float from = ref Unsafe.Add(ref b, t);
            ref float to = ref Unsafe.Add(ref panels, (nint)t * kc);
            for (int p = 0; p < kc; p++)
            {
                Vector512.LoadUnsafe(ref from).StoreUnsafe(ref to);
                from = ref Unsafe.Add(ref from, ldb);
                to = ref Unsafe.Add(ref to, Wide);
            }
            t += Wide;
        }
        if (full < width)
        {
            int columns = width - full;
            for (int p = 0; p < kc; p++)
            {
                Span<float> to = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref panels, (nint)full * kc + p * Wide), Wide);
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, (nint)p * ldb + full), columns).CopyTo(to);
                to[columns..].Clear();
            }
        }
    }

    /// <summary>One K-slice [K0, K0 + Count) of the reduction: whether it starts from the bias, and the activation
    /// its stores apply (only the last slice's).</summary>
    private readonly record struct KSlice(int K0, int Count, bool First, FusedActivation Activation);

    /// <summary>Columns [j0, j0 + width) of one row panel over one K-slice: 32-wide tiles, then 16-wide ones, the last
    /// through a scratch tile when C has fewer columns than it. B is either read in place (rows <paramref name="ldb"/>
    /// apart; width a multiple of 32) or, with ldb = 0, from packed panels (<see cref="PackB"/>). A panel with fewer
    /// than 8 valid rows also works on a copy of its C rows (the padding rows are never stored).</summary>
    private static void PanelColumns(ref float packedRef, int panel, int panelLength, int rows, ref float b, int ldb, ref float cRef,
        int ldc, int j0, int width, KSlice slice, Span<float> tile)
    {
        ref float ap = ref Unsafe.Add(ref packedRef, (nint)panel * panelLength);
        ref float cPanel = ref Unsafe.Add(ref cRef, (nint)panel * PanelRows * ldc + j0);
        ref float tileRef = ref MemoryMarshal.GetReference(tile);
        int valid = Math.Min(PanelRows, rows - panel * PanelRows), kc = slice.Count;
        int t = 0;
        for (; t + 2 * Wide <= width; t += 2 * Wide)
        {
            ref float cp = ref Unsafe.Add(ref cPanel, t);
            ref float bp = ref Unsafe.Add(ref b, ldb == 0 ? (nint)t * kc : t);
            int stride = ldb == 0 ? 2 * Wide : ldb;
            if (valid == PanelRows)
            {
                Tile8x32(ref ap, ref bp, ref cp, ldc, stride, slice);
            }
            else
            {
                if (!slice.First) CopyRows(ref cp, ldc, ref tileRef, 2 * Wide, valid, 2 * Wide);
                Tile8x32(ref ap, ref bp, ref tileRef, 2 * Wide, stride, slice);
                CopyRows(ref tileRef, 2 * Wide, ref cp, ldc, valid, 2 * Wide);
            }
        }
        for (; t < width; t += Wide)
        {
            ref float cp = ref Unsafe.Add(ref cPanel, t);
            ref float bp = ref Unsafe.Add(ref b, (nint)t * kc);
            int columns = Math.Min(Wide, width - t);
            if (valid == PanelRows && columns == Wide)
            {
                Tile8x16(ref ap, ref bp, ref cp, ldc, Wide, slice);
            }
            else
            {
                // The last, zero-padded panel or a partial row panel: through a scratch tile, storing what is C's.
                if (!slice.First) CopyRows(ref cp, ldc, ref tileRef, Wide, valid, columns);
                Tile8x16(ref ap, ref bp, ref tileRef, Wide, Wide, slice);
                CopyRows(ref tileRef, Wide, ref cp, ldc, valid, columns);
            }
        }
    }

    /// <summary>
    /// Columns [j0, j1) (fewer than 16) of panels [panelStart, panels), transposed (a 256-bit vector holds a panel's 8 rows of one
    /// column). Each C element is one FMA chain of length K, so a single panel's left-over column is one dependent
    /// chain bound by FMA latency, not throughput: one left-over column of n = 49 cost a quarter of the layer
    /// (measured). Four panels side by side give four independent chains per column; a last partial group and a
    /// partial panel run one panel at a time.
    /// </summary>
    private static void LeftoverColumns(ref float packedRef, int panelStart, int panels, int panelLength, int rows, ref float bBlock, ref float cRef,
        int ldb, int ldc, int j0, int j1, KSlice slice)
    {
        if (j0 >= j1) return;
        int fullPanels = Math.Min(panels, rows / PanelRows), panel = panelStart;
        for (; panel + 4 <= fullPanels; panel += 4)
        {
            ref float ap = ref Unsafe.Add(ref packedRef, (nint)panel * panelLength);
            ref float cp = ref Unsafe.Add(ref cRef, (nint)panel * PanelRows * ldc);
            for (int j = j0; j < j1; j++)
                Tile32x1(ref ap, panelLength, ref Unsafe.Add(ref bBlock, j), ref Unsafe.Add(ref cp, j), ldc, ldb, slice);
        }
        for (; panel < panels; panel++)
        {
            ref float ap = ref Unsafe.Add(ref packedRef, (nint)panel * panelLength);
            ref float cp = ref Unsafe.Add(ref cRef, (nint)panel * PanelRows * ldc);
            int valid = Math.Min(PanelRows, rows - panel * PanelRows);
            for (int j = j0; j < j1; j += 4)
                Tile8xColumns(ref ap, ref Unsafe.Add(ref bBlock, j), ref Unsafe.Add(ref cp, j), ldc, ldb, slice, valid, Math.Min(4, j1 - j));
        }
    }

    /// <summary>One column of four consecutive full panels (32 rows): four independent 8-row chains.</summary>
    private static void Tile32x1(ref float ap, int panelLength, ref float b, ref float c, int ldc, int n, KSlice slice)
    {
        int k0 = slice.K0, kc = slice.Count;
        ref float a0 = ref ap;
        ref float a1 = ref Unsafe.Add(ref ap, panelLength);
        ref float a2 = ref Unsafe.Add(ref ap, 2 * panelLength);
        ref float a3 = ref Unsafe.Add(ref ap, 3 * panelLength);
        Vector256<float> s0, s1, s2, s3;
        if (slice.First)
        {
            s0 = Vector256.LoadUnsafe(ref a0); s1 = Vector256.LoadUnsafe(ref a1);
            s2 = Vector256.LoadUnsafe(ref a2); s3 = Vector256.LoadUnsafe(ref a3);
        }
        else
        {
            s0 = Gather(ref c, ldc, PanelRows); s1 = Gather(ref Unsafe.Add(ref c, (nint)PanelRows * ldc), ldc, PanelRows);
            s2 = Gather(ref Unsafe.Add(ref c, (nint)2 * PanelRows * ldc), ldc, PanelRows);
            s3 = Gather(ref Unsafe.Add(ref c, (nint)3 * PanelRows * ldc), ldc, PanelRows);
        }
        nint offset = PanelRows * (k0 + 1);
        for (int p = 0; p < kc; p++, offset += PanelRows)
        {
            Vector256<float> x = Vector256.Create(b);
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref a0, offset)), x, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref a1, offset)), x, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref a2, offset)), x, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref a3, offset)), x, s3);
            b = ref Unsafe.Add(ref b, n);
        }
        if (slice.Activation != FusedActivation.None)
        {
            Vector256<float> lo = Vector256<float>.Zero, hi = Vector256.Create(slice.Activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
            s0 = Vector256.Min(Vector256.Max(s0, lo), hi); s1 = Vector256.Min(Vector256.Max(s1, lo), hi);
            s2 = Vector256.Min(Vector256.Max(s2, lo), hi); s3 = Vector256.Min(Vector256.Max(s3, lo), hi);
        }
        Scatter(s0, ref c, ldc, PanelRows);
        Scatter(s1, ref Unsafe.Add(ref c, (nint)PanelRows * ldc), ldc, PanelRows);
        Scatter(s2, ref Unsafe.Add(ref c, (nint)2 * PanelRows * ldc), ldc, PanelRows);
        Scatter(s3, ref Unsafe.Add(ref c, (nint)3 * PanelRows * ldc), ldc, PanelRows);
    }

    /// <summary>Panel layout: 8 biases, then for p = 0..k−1 the 8 rows' A[r, p]; rows past rowEnd are zeros.</summary>
    public static void Pack(ReadOnlySpan<float> a, ReadOnlySpan<float> bias, int k, int rowStart, int rowEnd, Span<float> packed)
    {
        int rows = rowEnd - rowStart, panels = (rows + PanelRows - 1) / PanelRows, panelLength = PanelRows * (k + 1);
        ref float aRef = ref MemoryMarshal.GetReference(a);
        for (int panel = 0; panel < panels; panel++)
        {
            Span<float> dst = packed.Slice(panel * panelLength, panelLength);
            int r0 = rowStart + panel * PanelRows, valid = Math.Min(PanelRows, rowEnd - r0);
            if (valid < PanelRows) dst.Clear();
            for (int r = 0; r < valid; r++) dst[r] = bias[r0 + r];
            ref float to = ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), PanelRows);
            ref float from = ref Unsafe.Add(ref aRef, (nint)r0 * k);
            if (valid == PanelRows)
            {
                // p outer: the 8 reads of a step are 8 rows apart, the writes contiguous (and the A rows stay in L1).
                for (int p = 0; p < k; p++)
                {
                    ref float d = ref Unsafe.Add(ref to, (nint)p * PanelRows);
                    ref float f = ref Unsafe.Add(ref from, p);
                    d = f;
                    Unsafe.Add(ref d, 1) = Unsafe.Add(ref f, k);
                    Unsafe.Add(ref d, 2) = Unsafe.Add(ref f, 2 * k);
                    Unsafe.Add(ref d, 3) = Unsafe.Add(ref f, 3 * k);
                    Unsafe.Add(ref d, 4) = Unsafe.Add(ref f, 4 * k);
                    Unsafe.Add(ref d, 5) = Unsafe.Add(ref f, 5 * k);
                    Unsafe.Add(ref d, 6) = Unsafe.Add(ref f, 6 * k);
                    Unsafe.Add(ref d, 7) = Unsafe.Add(ref f, 7 * k);
                }
            }
            else
            {
                for (int r = 0; r < valid; r++)
                    for (int p = 0; p < k; p++)
                        Unsafe.Add(ref to, (nint)p * PanelRows + r) = Unsafe.Add(ref from, (nint)r * k + p);
            }
        }
    }

    private static void CopyRows(ref float src, int srcStride, ref float dst, int dstStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
            MemoryMarshal.CreateSpan(ref Unsafe.Add(ref src, (nint)r * srcStride), columns)
                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, (nint)r * dstStride), columns));
    }

    /// <summary>ReLU (hi = +∞) or ReLU6 (hi = 6): max then min, NaN-propagating, the same values
    /// <see cref="FusedActivationExtensions.ApplyInPlace"/> gives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Clamp(Vector512<float> v, Vector512<float> lo, Vector512<float> hi) => Vector512.Min(Vector512.Max(v, lo), hi);

    /// <summary>
    /// Asks for the packed A 2 KB (64 steps of the 8-row panel) ahead of the step being computed. The filters of a
    /// late layer (MobileNet's last, 1024×1024: 4 MB) are read once per call, from memory when other layers' weights
    /// have pushed them out of cache, and the hardware prefetcher did not keep up: 1024×1024×49 with A cold went
    /// 0.86 → 0.57 ms, 1000×512×169 0.99 → 0.85 ms (Zen 5; 1 KB and 4 KB ahead gained less, and A in L1 lost nothing).
    /// A prefetch never faults, so a hint past the end of the panels, or at an address the GC has since moved, is
    /// harmless; x86 only, as this GEMM is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchA(ref float a)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref a, 64 * PanelRows)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    /// <summary>One 8 × 32 tile of C (row stride ldc) over k-slice [k0, k0 + kc); ap is the packed panel, b points at (k0, j).</summary>
    private static void Tile8x32(ref float ap, ref float b, ref float c, int ldc, int n, KSlice slice)
    {
        int k0 = slice.K0, kc = slice.Count;
        bool first = slice.First;
        Vector512<float> s0a, s0b, s1a, s1b, s2a, s2b, s3a, s3b, s4a, s4b, s5a, s5b, s6a, s6b, s7a, s7b;
        if (first)
        {
            s0a = s0b = Vector512.Create(ap);
            s1a = s1b = Vector512.Create(Unsafe.Add(ref ap, 1));
            s2a = s2b = Vector512.Create(Unsafe.Add(ref ap, 2));
            s3a = s3b = Vector512.Create(Unsafe.Add(ref ap, 3));
            s4a = s4b = Vector512.Create(Unsafe.Add(ref ap, 4));
            s5a = s5b = Vector512.Create(Unsafe.Add(ref ap, 5));
            s6a = s6b = Vector512.Create(Unsafe.Add(ref ap, 6));
            s7a = s7b = Vector512.Create(Unsafe.Add(ref ap, 7));
        }
        else
        {
            s0a = Vector512.LoadUnsafe(ref c); s0b = Vector512.LoadUnsafe(ref c, Wide);
            s1a = Vector512.LoadUnsafe(ref c, (nuint)ldc); s1b = Vector512.LoadUnsafe(ref c, (nuint)(ldc + Wide));
            s2a = Vector512.LoadUnsafe(ref c, (nuint)(2 * ldc)); s2b = Vector512.LoadUnsafe(ref c, (nuint)(2 * ldc + Wide));
            s3a = Vector512.LoadUnsafe(ref c, (nuint)(3 * ldc)); s3b = Vector512.LoadUnsafe(ref c, (nuint)(3 * ldc + Wide));
            s4a = Vector512.LoadUnsafe(ref c, (nuint)(4 * ldc)); s4b = Vector512.LoadUnsafe(ref c, (nuint)(4 * ldc + Wide));
            s5a = Vector512.LoadUnsafe(ref c, (nuint)(5 * ldc)); s5b = Vector512.LoadUnsafe(ref c, (nuint)(5 * ldc + Wide));
            s6a = Vector512.LoadUnsafe(ref c, (nuint)(6 * ldc)); s6b = Vector512.LoadUnsafe(ref c, (nuint)(6 * ldc + Wide));
            s7a = Vector512.LoadUnsafe(ref c, (nuint)(7 * ldc)); s7b = Vector512.LoadUnsafe(ref c, (nuint)(7 * ldc + Wide));
        }

        ref float a = ref Unsafe.Add(ref ap, PanelRows * (k0 + 1));
        ref float end = ref Unsafe.Add(ref a, (nint)kc * PanelRows);
        while (Unsafe.IsAddressLessThan(ref a, ref end))
        {
            PrefetchA(ref a);
            Vector512<float> b0 = Vector512.LoadUnsafe(ref b), b1 = Vector512.LoadUnsafe(ref b, Wide);
            Vector512<float> x = Vector512.Create(a);
            s0a = Fma(x, b0, s0a); s0b = Fma(x, b1, s0b);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            s1a = Fma(x, b0, s1a); s1b = Fma(x, b1, s1b);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            s2a = Fma(x, b0, s2a); s2b = Fma(x, b1, s2b);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            s3a = Fma(x, b0, s3a); s3b = Fma(x, b1, s3b);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            s4a = Fma(x, b0, s4a); s4b = Fma(x, b1, s4b);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            s5a = Fma(x, b0, s5a); s5b = Fma(x, b1, s5b);
            x = Vector512.Create(Unsafe.Add(ref a, 6));
            s6a = Fma(x, b0, s6a); s6b = Fma(x, b1, s6b);
            x = Vector512.Create(Unsafe.Add(ref a, 7));
            s7a = Fma(x, b0, s7a); s7b = Fma(x, b1, s7b);
            a = ref Unsafe.Add(ref a, PanelRows);
            b = ref Unsafe.Add(ref b, n);
        }

        if (slice.Activation != FusedActivation.None)
        {
            Vector512<float> lo = Vector512<float>.Zero, hi = Vector512.Create(slice.Activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
            s0a = Clamp(s0a, lo, hi); s0b = Clamp(s0b, lo, hi); s1a = Clamp(s1a, lo, hi); s1b = Clamp(s1b, lo, hi);
            s2a = Clamp(s2a, lo, hi); s2b = Clamp(s2b, lo, hi); s3a = Clamp(s3a, lo, hi); s3b = Clamp(s3b, lo, hi);
            s4a = Clamp(s4a, lo, hi); s4b = Clamp(s4b, lo, hi); s5a = Clamp(s5a, lo, hi); s5b = Clamp(s5b, lo, hi);
            s6a = Clamp(s6a, lo, hi); s6b = Clamp(s6b, lo, hi); s7a = Clamp(s7a, lo, hi); s7b = Clamp(s7b, lo, hi);
        }
        s0a.StoreUnsafe(ref c); s0b.StoreUnsafe(ref c, Wide);
        s1a.StoreUnsafe(ref c, (nuint)ldc); s1b.StoreUnsafe(ref c, (nuint)(ldc + Wide));
        s2a.StoreUnsafe(ref c, (nuint)(2 * ldc)); s2b.StoreUnsafe(ref c, (nuint)(2 * ldc + Wide));
        s3a.StoreUnsafe(ref c, (nuint)(3 * ldc)); s3b.StoreUnsafe(ref c, (nuint)(3 * ldc + Wide));
        s4a.StoreUnsafe(ref c, (nuint)(4 * ldc)); s4b.StoreUnsafe(ref c, (nuint)(4 * ldc + Wide));
        s5a.StoreUnsafe(ref c, (nuint)(5 * ldc)); s5b.StoreUnsafe(ref c, (nuint)(5 * ldc + Wide));
        s6a.StoreUnsafe(ref c, (nuint)(6 * ldc)); s6b.StoreUnsafe(ref c, (nuint)(6 * ldc + Wide));
        s7a.StoreUnsafe(ref c, (nuint)(7 * ldc)); s7b.StoreUnsafe(ref c, (nuint)(7 * ldc + Wide));
    }

    /// <summary>One 8 × 16 tile, as <see cref="Tile8x32"/>.</summary>
    private static void Tile8x16(ref float ap, ref float b, ref float c, int ldc, int n, KSlice slice)
    {
        int k0 = slice.K0, kc = slice.Count;
        bool first = slice.First;
        Vector512<float> s0, s1, s2, s3, s4, s5, s6, s7;
        if (first)
        {
            s0 = Vector512.Create(ap);
            s1 = Vector512.Create(Unsafe.Add(ref ap, 1));
            s2 = Vector512.Create(Unsafe.Add(ref ap, 2));
            s3 = Vector512.Create(Unsafe.Add(ref ap, 3));
            s4 = Vector512.Create(Unsafe.Add(ref ap, 4));
            s5 = Vector512.Create(Unsafe.Add(ref ap, 5));
            s6 = Vector512.Create(Unsafe.Add(ref ap, 6));
            s7 = Vector512.Create(Unsafe.Add(ref ap, 7));
        }
        else
        {
            s0 = Vector512.LoadUnsafe(ref c);
            s1 = Vector512.LoadUnsafe(ref c, (nuint)ldc);
            s2 = Vector512.LoadUnsafe(ref c, (nuint)(2 * ldc));
            s3 = Vector512.LoadUnsafe(ref c, (nuint)(3 * ldc));
            s4 = Vector512.LoadUnsafe(ref c, (nuint)(4 * ldc));
            s5 = Vector512.LoadUnsafe(ref c, (nuint)(5 * ldc));
            s6 = Vector512.LoadUnsafe(ref c, (nuint)(6 * ldc));
            s7 = Vector512.LoadUnsafe(ref c, (nuint)(7 * ldc));
        }

        ref float a = ref Unsafe.Add(ref ap, PanelRows * (k0 + 1));
        ref float end = ref Unsafe.Add(ref a, (nint)kc * PanelRows);
        while (Unsafe.IsAddressLessThan(ref a, ref end))
        {
            PrefetchA(ref a);
            Vector512<float> b0 = Vector512.LoadUnsafe(ref b);
            s0 = Fma(Vector512.Create(a), b0, s0);
            s1 = Fma(Vector512.Create(Unsafe.Add(ref a, 1)), b0, s1);
            s2 = Fma(Vector512.Create(Unsafe.Add(ref a, 2)), b0, s2);
            s3 = Fma(Vector512.Create(Unsafe.Add(ref a, 3)), b0, s3);
            s4 = Fma(Vector512.Create(Unsafe.Add(ref a, 4)), b0, s4);
            s5 = Fma(Vector512.Create(Unsafe.Add(ref a, 5)), b0, s5);
            s6 = Fma(Vector512.Create(Unsafe.Add(ref a, 6)), b0, s6);
            s7 = Fma(Vector512.Create(Unsafe.Add(ref a, 7)), b0, s7);
            a = ref Unsafe.Add(ref a, PanelRows);
            b = ref Unsafe.Add(ref b, n);
        }

        if (slice.Activation != FusedActivation.None)
        {
            Vector512<float> lo = Vector512<float>.Zero, hi = Vector512.Create(slice.Activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
            s0 = Clamp(s0, lo, hi); s1 = Clamp(s1, lo, hi); s2 = Clamp(s2, lo, hi); s3 = Clamp(s3, lo, hi);
            s4 = Clamp(s4, lo, hi); s5 = Clamp(s5, lo, hi); s6 = Clamp(s6, lo, hi); s7 = Clamp(s7, lo, hi);
        }
        s0.StoreUnsafe(ref c);
        s1.StoreUnsafe(ref c, (nuint)ldc);
        s2.StoreUnsafe(ref c, (nuint)(2 * ldc));
        s3.StoreUnsafe(ref c, (nuint)(3 * ldc));
        s4.StoreUnsafe(ref c, (nuint)(4 * ldc));
        s5.StoreUnsafe(ref c, (nuint)(5 * ldc));
        s6.StoreUnsafe(ref c, (nuint)(6 * ldc));
        s7.StoreUnsafe(ref c, (nuint)(7 * ldc));
    }

    /// <summary>
    /// Up to 4 left-over columns of one panel, transposed: a 256-bit vector holds the panel's 8 rows of one column
    /// and B's element is broadcast. Columns past <paramref name="columns"/> repeat the last one (same arithmetic)
    /// and are not stored; rows past <paramref name="rows"/> are padding and are neither read nor stored.
    /// </summary>
    private static void Tile8xColumns(ref float ap, ref float b, ref float c, int ldc, int n, KSlice slice, int rows, int columns)
    {
        int k0 = slice.K0, kc = slice.Count;
        bool first = slice.First;
        int c1 = Math.Min(1, columns - 1), c2 = Math.Min(2, columns - 1), c3 = Math.Min(3, columns - 1);
        Vector256<float> s0, s1, s2, s3;
        if (first)
        {
            s0 = s1 = s2 = s3 = Vector256.LoadUnsafe(ref ap);
        }
        else
        {
            s0 = Gather(ref c, ldc, rows);
            s1 = Gather(ref Unsafe.Add(ref c, c1), ldc, rows);
            s2 = Gather(ref Unsafe.Add(ref c, c2), ldc, rows);
            s3 = Gather(ref Unsafe.Add(ref c, c3), ldc, rows);
        }

        ref float a = ref Unsafe.Add(ref ap, PanelRows * (k0 + 1));
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref a);
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.Create(b), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.Create(Unsafe.Add(ref b, c1)), s1);
            s2 = Vector256.FusedMultiplyAdd(x, Vector256.Create(Unsafe.Add(ref b, c2)), s2);
            s3 = Vector256.FusedMultiplyAdd(x, Vector256.Create(Unsafe.Add(ref b, c3)), s3);
            a = ref Unsafe.Add(ref a, PanelRows);
            b = ref Unsafe.Add(ref b, n);
        }

        if (slice.Activation != FusedActivation.None)
        {
            Vector256<float> lo = Vector256<float>.Zero, hi = Vector256.Create(slice.Activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
            s0 = Vector256.Min(Vector256.Max(s0, lo), hi); s1 = Vector256.Min(Vector256.Max(s1, lo), hi);
            s2 = Vector256.Min(Vector256.Max(s2, lo), hi); s3 = Vector256.Min(Vector256.Max(s3, lo), hi);
        }
        Scatter(s0, ref c, ldc, rows);
        if (columns > 1) Scatter(s1, ref Unsafe.Add(ref c, 1), ldc, rows);
        if (columns > 2) Scatter(s2, ref Unsafe.Add(ref c, 2), ldc, rows);
        if (columns > 3) Scatter(s3, ref Unsafe.Add(ref c, 3), ldc, rows);
    }

    private static Vector256<float> Gather(ref float c, int ldc, int rows)
    {
        Vector256<float> v = Vector256<float>.Zero;
        for (int r = 0; r < rows; r++) v = v.WithElement(r, Unsafe.Add(ref c, (nint)r * ldc));
        return v;
    }

    private static void Scatter(Vector256<float> v, ref float c, int ldc, int rows)
    {
        for (int r = 0; r < rows; r++) Unsafe.Add(ref c, (nint)r * ldc) = v.GetElement(r);
    }
}
