using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Unfolds a group of input channels into the K × pixels matrix the convolution GEMM multiplies
/// (row (c, ky, kx), column (oy, ox)), writing zeros for padding so the GEMM needs no bounds checks.
/// <para>Rows of small layers are short (LeNet-5's conv2: 4,000 runs of 8 floats per sample), so per-run overhead,
/// not bandwidth, is the cost: span slicing, two Clear calls and a Memmove per run made this unfold take ~3× the
/// sparse conv it feeds (measured). Runs are therefore copied with raw vector moves and the bounds are checked once
/// per call.</para>
/// </summary>
internal static class Im2Col
{
    public static void Unfold(ReadOnlySpan<float> input, Span<float> columns, in ConvGeometry g)
    {
        if (input.Length < g.InChannelsPerGroup * g.InPlane || columns.Length < g.FilterLength * g.OutPlane)
            throw new ArgumentException("im2col buffers are smaller than the convolution geometry needs");
        if (IsStrided(g))
        {
            var layout = PhasePlane.For(g);
            float[] planes = ArrayPool<float>.Shared.Rent(PhasePlanesLength(g, layout));
            try
            {
                SplitPhases(input, planes, g, layout);
                UnfoldRowsFromPhases(planes, layout, columns, g, 0, g.OutHeight);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(planes);
            }
            return;
        }
        UnfoldRows(input, columns, g, 0, g.OutHeight);
    }

    /// <summary>Strided convolutions unfold from stride-phase planes (<see cref="SplitPhases"/>) first.</summary>
    public static bool IsStrided(in ConvGeometry g) => g.StrideH != 1 || g.StrideW != 1;

    /// <summary>Floats of the phase planes of one group's channels.</summary>
    public static int PhasePlanesLength(in ConvGeometry g, PhasePlane layout) => g.InChannelsPerGroup * layout.Length;

    /// <summary>Copies each channel of a group into its zero-bordered <see cref="PhasePlane"/>, back to back.</summary>
    public static void SplitPhases(ReadOnlySpan<float> input, Span<float> planes, in ConvGeometry g, PhasePlane layout)
    {
        for (int c = 0; c < g.InChannelsPerGroup; c++)
            layout.Fill(input.Slice(c * g.InPlane, g.InPlane), planes.Slice(c * layout.Length, layout.Length), 0f);
    }

    /// <summary>
    /// Stride-1 im2col of output rows [oy0, oy1) only: columns is K × ((oy1 − oy0)·outW). Unfolding a block of rows
    /// at a time, right before the GEMM uses it, keeps the block in L2 (MLAS's conv likewise unfolds a tile at a time);
    /// the whole matrix of SqueezeNet's 3×3 expand layers is megabytes written to memory and read back.
    /// </summary>
    public static void UnfoldRows(ReadOnlySpan<float> input, Span<float> columns, in ConvGeometry g, int oy0, int oy1)
    {
        int channels = g.InChannelsPerGroup, h = g.InHeight, w = g.InWidth;
        int outW = g.OutWidth, blockLength = (oy1 - oy0) * outW;
        if (IsStrided(g) || input.Length < channels * h * w || columns.Length < g.FilterLength * blockLength || oy0 < 0 || oy1 > g.OutHeight)
            throw new ArgumentException("im2col buffers are smaller than the convolution geometry needs");

        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float colRef = ref MemoryMarshal.GetReference(columns);
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref inRef, (nint)c * h * w);
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++, row++)
                {
                    ref float dst = ref Unsafe.Add(ref colRef, (nint)row * blockLength);
                    // Output columns whose input x stays inside the row: ox in [oxLo, oxHi).
                    int oxLo = Math.Clamp(g.PadW - kx, 0, outW);
                    int oxHi = Math.Clamp(w + g.PadW - kx, oxLo, outW);
                    int run = oxHi - oxLo;
                    if (run == outW && oy0 - g.PadH + ky >= 0 && oy1 - 1 - g.PadH + ky < h)
                    {
                        // Every row of the block is a whole run (no padding under this tap): copies only.
                        CopyRows(ref Unsafe.Add(ref plane, (nint)(oy0 - g.PadH + ky) * w + kx - g.PadW), w, ref dst, outW, oy1 - oy0, outW);
                        continue;
                    }
                    for (int oy = oy0; oy < oy1; oy++)
                    {
                        ref float dstRow = ref Unsafe.Add(ref dst, (nint)(oy - oy0) * outW);
                        int iy = oy - g.PadH + ky;
                        if ((uint)iy >= (uint)h)
                        {
                            Fill0(ref dstRow, outW);
                            continue;
                        }

                        Fill0(ref dstRow, oxLo);
                        Fill0(ref Unsafe.Add(ref dstRow, oxHi), outW - oxHi);
                        Copy(ref Unsafe.Add(ref plane, (nint)iy * w + oxLo - g.PadW + kx), ref Unsafe.Add(ref dstRow, oxLo), run);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Strided im2col of output rows [oy0, oy1) from the group's phase planes (every stem: 3×3 or 7×7 at stride 2).
    /// In a <see cref="PhasePlane"/> the im2col row of tap (ky, kx) is the plane's stream at that tap's offset, so
    /// every row is contiguous runs copied with vector moves; gathering every stride-th element straight from the
    /// input, as before, was scalar and cost more than the GEMM it fed on SEP-Net's 32→64 stride-2 layer (measured).
    /// The unfolded values are the same, so results are unchanged.
    /// </summary>
    public static void UnfoldRowsFromPhases(ReadOnlySpan<float> planes, PhasePlane layout, Span<float> columns, in ConvGeometry g, int oy0, int oy1)
    {
        int outW = g.OutWidth, blockLength = (oy1 - oy0) * outW;
        if (planes.Length < PhasePlanesLength(g, layout) || columns.Length < g.FilterLength * blockLength || oy0 < 0 || oy1 > g.OutHeight)
            throw new ArgumentException("im2col buffers are smaller than the convolution geometry needs");
        ref float planeRef = ref MemoryMarshal.GetReference(planes);
        ref float colRef = ref MemoryMarshal.GetReference(columns);
        int row = 0;
        for (int c = 0; c < g.InChannelsPerGroup; c++)
            for (int ky = 0; ky < g.KernelH; ky++)
                for (int kx = 0; kx < g.KernelW; kx++, row++)
                {
                    ref float src = ref Unsafe.Add(ref planeRef, (nint)c * layout.Length + layout.TapOffset(ky, kx) + (nint)oy0 * layout.Tx);
                    ref float dst = ref Unsafe.Add(ref colRef, (nint)row * blockLength);
                    for (int oy = 0; oy < oy1 - oy0; oy++)
                        Copy(ref Unsafe.Add(ref src, (nint)oy * layout.Tx), ref Unsafe.Add(ref dst, (nint)oy * outW), outW);
                }
    }

    /// <summary><paramref name="rows"/> runs of <paramref name="count"/> floats. A run of exactly one vector (LeNet-5's conv2:
    /// 8 wide, 4,000 runs per sample) is one load and one store; through <see cref="Copy"/> with the padding logic
    /// around it the unfold took 8.3 µs, 43 % of the GEMM it fed.</summary>
    private static void CopyRows(ref float src, int srcStride, ref float dst, int dstStride, int rows, int count)
    {
        if (count == Vector<float>.Count)
        {
            for (int r = 0; r < rows; r++)
                Vector.LoadUnsafe(ref src, (nuint)((nint)r * srcStride)).StoreUnsafe(ref dst, (nuint)((nint)r * dstStride));
            return;
        }
        for (int r = 0; r < rows; r++)
            Copy(ref Unsafe.Add(ref src, (nint)r * srcStride), ref Unsafe.Add(ref dst, (nint)r * dstStride), count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float src, ref float dst, int count)
    {
        int w = Vector<float>.Count, i = 0;
        if (count >= w)
        {
            // The last vector overlaps the previous one instead of a scalar tail.
            for (; i + w < count; i += w) Vector.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
            Vector.LoadUnsafe(ref src, (nuint)(count - w)).StoreUnsafe(ref dst, (nuint)(count - w));
            return;
        }
        for (; i < count; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill0(ref float dst, int count)
    {
        for (int i = 0; i < count; i++) Unsafe.Add(ref dst, i) = 0f;
    }

    /// <summary>Ceiling division that is correct for negative numerators.</summary>
    internal static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
