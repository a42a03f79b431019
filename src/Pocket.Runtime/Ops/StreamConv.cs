using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// A k×k convolution (any stride and padding) on AVX-512 without im2col: the <see cref="PackedGemm"/> micro-kernel
/// with its B operand read straight from the input's <see cref="PhasePlane"/>s. In a phase plane every tap (c, ky, kx)
/// of output pixel q (flat index oy·Tx + ox) sits at q + c·Length + TapOffset(ky, kx), so im2col row p of the 32
/// pixels [q, q + 32) is two unaligned vectors at a fixed offset per p: XNNPACK's indirect GEMM with the pointer
/// table replaced by one offset per K step. The results go to a stream of pitch Tx (the junk columns ox ≥ outW
/// included) and are compacted into the output.
/// <para>Why: im2col writes K floats per output pixel and the GEMM reads them back; on SqueezeNet's and SEP-Net's
/// 3×3 layers over 27×27 to 112×112 planes the unfold and the packing of its blocks made those layers 1.2–1.5× ONNX
/// Runtime's NCHWc convolutions (bench/results/runtime.md, session 14). Here the input a 32-pixel tile touches is
/// about three rows per channel, L1-resident for every panel of filters, and K is never blocked. The cost is the
/// junk columns: (kW − 1) / sW per row of Tx, so <see cref="Pays"/> keeps im2col for narrow planes.</para>
/// <para>Every output is the same single FMA chain from its bias over p = 0..K−1 as in the im2col path, over the same
/// values (a zero border is the padding im2col writes), so results are bit-identical to it.</para>
/// </summary>
internal static class StreamConv
{
    private const int Wide = 16;

    /// <summary>Pixels of one tile: the micro-kernel's two vectors.</summary>
    public const int TileColumns = 2 * Wide;

    /// <summary>
    /// Whether the stream beats im2col for this layer (Zen 5, `pocket bench --layers`, session 14): the packed AVX-512
    /// GEMM runs here, the conv is not a 1×1, its filters are at least 64 long, and the junk columns are under 1/12 of
    /// the row. Gains: SEP-Net's grouped 3×3 pattern convs (K = 72, 144) 0.205 → 0.095 ms at 56×56 and 0.162 → 0.088
    /// at 28×28, its 32→64 stride-2 conv 0.83 → 0.73, SqueezeNet 1.0's 7×7 stem 1.92 → 1.80 and 3×3 expand convs at
    /// 54×54 0.345 → 0.280; 27×27 layers with K = 288–576 about even. Losses, hence the K rule: the 3-channel 3×3
    /// stems (K = 27), SqueezeNet 1.1's 0.32 → 0.42, SEP-Net's 0.20 → 0.24, MobileNet's 0.216 → 0.224. Narrow planes
    /// (13×13, 14×14, 7×7) waste 2 of every 15 or 16 stream columns, and im2col's unfold is a small share there.
    /// </summary>
    public static bool Pays(in ConvGeometry g)
    {
        if (!PackedGemm.IsSupported || g.IsPointwise || g.FilterLength < 64) return false;
        int junk = (g.KernelW - 1) / g.StrideW;
        return g.OutWidth >= 24 && junk * 12 <= g.OutWidth + junk;
    }

    /// <summary>For each K step p = (c, ky, kx) of a filter, the offset of its tap from pixel q in the group's planes.</summary>
    public static int[] TapOffsets(in ConvGeometry g, PhasePlane layout)
    {
        var offsets = new int[g.FilterLength];
        int p = 0;
        for (int c = 0; c < g.InChannelsPerGroup; c++)
            for (int ky = 0; ky < g.KernelH; ky++)
                for (int kx = 0; kx < g.KernelW; kx++)
                    offsets[p++] = c * layout.Length + layout.TapOffset(ky, kx);
        return offsets;
    }

    /// <summary>Floats of the stream buffer for <paramref name="panels"/> panels over stream positions [q0, q1).</summary>
    public static int StreamLength(int panels, int q0, int q1) => panels * PackedGemm.PanelRows * StreamPitch(q0, q1);

    /// <summary>
    /// Floats between stream rows: q1 − q0 rounded up to whole tiles, plus half a tile, so the 8 rows a tile stores
    /// are an odd number of cache lines apart and fall in different L1 sets. A pitch of 1,024 or 2,048 floats
    /// (SqueezeNet 1.1's and SEP-Net's stems: 9 × 112 and 18 × 113 stream columns) put all 8 rows, 4 KB apart, in one set.
    /// </summary>
    private static int StreamPitch(int q0, int q1) => (q1 - q0 + TileColumns - 1) / TileColumns * TileColumns + TileColumns / 2;

    /// <summary>
    /// Rows of <paramref name="panels"/> packed panels (<see cref="PackedGemm.Pack"/>) times the implicit im2col
    /// columns [q0, q1) of the stream: into <paramref name="stream"/>, row r of the panels at r · pitch (<see cref="StreamPitch"/>), then into output rows of pitch <paramref name="outPlane"/> (row r's pixels at
    /// r · outPlane), keeping only the columns ox &lt; outW of the stream rows [q0 / Tx, q1 / Tx). q0 and q1 are
    /// multiples of Tx. <paramref name="planes"/> must hold the tiles' overrun: a phase plane's slack covers it.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> packed, int panels, int rows, int[] offsets, ReadOnlySpan<float> planes, PhasePlane layout,
        int q0, int q1, Span<float> stream, Span<float> output, int outPlane, FusedActivation activation)
    {
        int k = offsets.Length, pitch = StreamPitch(q0, q1), panelLength = PackedGemm.PanelRows * (k + 1);
        int computed = (q1 - q0 + TileColumns - 1) / TileColumns * TileColumns; // stream columns the tiles compute
        int tx = layout.Tx, outW = layout.OutWidth;
        if (q0 % tx != 0 || q1 % tx != 0 || q0 < 0 || q1 > layout.StreamLength || rows > panels * PackedGemm.PanelRows
            || packed.Length < (long)panels * panelLength || stream.Length < StreamLength(panels, q0, q1)
            || planes.Length < (long)MaxOffset(offsets) + q0 + computed || output.Length < (long)(rows - 1) * outPlane + (q1 / tx) * outW)
            throw new ArgumentException("stream convolution buffers are smaller than the layer needs");
        ref float packedRef = ref MemoryMarshal.GetReference(packed);
        ref float planeRef = ref MemoryMarshal.GetReference(planes);
        ref float streamRef = ref MemoryMarshal.GetReference(stream);
        ref int offsetRef = ref MemoryMarshal.GetArrayDataReference(offsets);
        // Tiles outer: a tile's input (about three rows of 34 floats per channel) stays in L1 while every panel of
        // filters passes over it; the panels (at most a few hundred KB for these layers) come from L2.
        for (int t = 0; t < computed; t += TileColumns)
        {
            ref float src = ref Unsafe.Add(ref planeRef, (nint)q0 + t);
            for (int panel = 0; panel < panels; panel++)
                Tile8x32(ref Unsafe.Add(ref packedRef, (nint)panel * panelLength), ref src, ref offsetRef, k,
                    ref Unsafe.Add(ref streamRef, (nint)panel * PackedGemm.PanelRows * pitch + t), pitch, activation);
        }
        // Compaction: stream row y of pitch Tx → output row y of pitch outW.
        int y0 = q0 / tx, y1 = q1 / tx;
        ref float outRef = ref MemoryMarshal.GetReference(output);
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref streamRef, (nint)r * pitch);
            ref float to = ref Unsafe.Add(ref outRef, (nint)r * outPlane);
            for (int y = y0; y < y1; y++)
                CopyRow(ref Unsafe.Add(ref from, (nint)(y - y0) * tx), ref Unsafe.Add(ref to, (nint)y * outW), outW);
        }
    }

    private static int MaxOffset(int[] offsets)
    {
        int max = 0;
        foreach (int offset in offsets) max = Math.Max(max, offset);
        return max;
    }

    /// <summary>dst[i] = src[i] for i &lt; count ≥ 16: whole vectors, the last overlapping the previous one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(ref float src, ref float dst, int count)
    {
        int i = 0;
        for (; i + Wide < count; i += Wide) Vector512.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
        Vector512.LoadUnsafe(ref src, (nuint)(count - Wide)).StoreUnsafe(ref dst, (nuint)(count - Wide));
    }

    /// <summary>
    /// One 8-filter × 32-pixel tile over the whole of K, as <see cref="PackedGemm"/>'s 8×32 tile (the same FMA
    /// order, bias first), with B step p loaded from <paramref name="src"/> + offsets[p]; stored to rows ldc apart.
    /// The body repeats that tile's on purpose: its 16 accumulators must stay in registers, which a shared helper
    /// taking them by reference would not guarantee (MLAS writes these kernels out with assembler macros).
    /// </summary>
    private static void Tile8x32(ref float ap, ref float src, ref int offsets, int k, ref float c, int ldc, FusedActivation activation)
    {
        Vector512<float> s0a, s0b, s1a, s1b, s2a, s2b, s3a, s3b, s4a, s4b, s5a, s5b, s6a, s6b, s7a, s7b;
        s0a = s0b = Vector512.Create(ap);
        s1a = s1b = Vector512.Create(Unsafe.Add(ref ap, 1));
        s2a = s2b = Vector512.Create(Unsafe.Add(ref ap, 2));
        s3a = s3b = Vector512.Create(Unsafe.Add(ref ap, 3));
        s4a = s4b = Vector512.Create(Unsafe.Add(ref ap, 4));
        s5a = s5b = Vector512.Create(Unsafe.Add(ref ap, 5));
        s6a = s6b = Vector512.Create(Unsafe.Add(ref ap, 6));
        s7a = s7b = Vector512.Create(Unsafe.Add(ref ap, 7));

        ref float a = ref Unsafe.Add(ref ap, PackedGemm.PanelRows);
        for (int p = 0; p < k; p++)
        {
            PackedGemm.PrefetchA(ref a);
            ref float b = ref Unsafe.Add(ref src, Unsafe.Add(ref offsets, p));
            Vector512<float> b0 = Vector512.LoadUnsafe(ref b), b1 = Vector512.LoadUnsafe(ref b, Wide);
            Vector512<float> x = Vector512.Create(a);
            s0a = PackedGemm.Fma(x, b0, s0a); s0b = PackedGemm.Fma(x, b1, s0b);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            s1a = PackedGemm.Fma(x, b0, s1a); s1b = PackedGemm.Fma(x, b1, s1b);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            s2a = PackedGemm.Fma(x, b0, s2a); s2b = PackedGemm.Fma(x, b1, s2b);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            s3a = PackedGemm.Fma(x, b0, s3a); s3b = PackedGemm.Fma(x, b1, s3b);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            s4a = PackedGemm.Fma(x, b0, s4a); s4b = PackedGemm.Fma(x, b1, s4b);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            s5a = PackedGemm.Fma(x, b0, s5a); s5b = PackedGemm.Fma(x, b1, s5b);
            x = Vector512.Create(Unsafe.Add(ref a, 6));
            s6a = PackedGemm.Fma(x, b0, s6a); s6b = PackedGemm.Fma(x, b1, s6b);
            x = Vector512.Create(Unsafe.Add(ref a, 7));
            s7a = PackedGemm.Fma(x, b0, s7a); s7b = PackedGemm.Fma(x, b1, s7b);
            a = ref Unsafe.Add(ref a, PackedGemm.PanelRows);
        }

        if (activation != FusedActivation.None)
        {
            Vector512<float> lo = Vector512<float>.Zero, hi = Vector512.Create(activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
            s0a = PackedGemm.Clamp(s0a, lo, hi); s0b = PackedGemm.Clamp(s0b, lo, hi); s1a = PackedGemm.Clamp(s1a, lo, hi); s1b = PackedGemm.Clamp(s1b, lo, hi);
            s2a = PackedGemm.Clamp(s2a, lo, hi); s2b = PackedGemm.Clamp(s2b, lo, hi); s3a = PackedGemm.Clamp(s3a, lo, hi); s3b = PackedGemm.Clamp(s3b, lo, hi);
            s4a = PackedGemm.Clamp(s4a, lo, hi); s4b = PackedGemm.Clamp(s4b, lo, hi); s5a = PackedGemm.Clamp(s5a, lo, hi); s5b = PackedGemm.Clamp(s5b, lo, hi);
            s6a = PackedGemm.Clamp(s6a, lo, hi); s6b = PackedGemm.Clamp(s6b, lo, hi); s7a = PackedGemm.Clamp(s7a, lo, hi); s7b = PackedGemm.Clamp(s7b, lo, hi);
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
}
