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
        int channels = g.InChannelsPerGroup, h = g.InHeight, w = g.InWidth;
        int outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        int strideW = g.StrideW;
        if (input.Length < channels * h * w || columns.Length < g.FilterLength * outPlane)
            throw new ArgumentException("im2col buffers are smaller than the convolution geometry needs");

        if (g.StrideH != 1 || strideW != 1)
        {
            UnfoldStrided(input, columns, g);
            return;
        }

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
                    ref float dst = ref Unsafe.Add(ref colRef, (nint)row * outPlane);
                    // Output columns whose input x stays inside the row: ox in [oxLo, oxHi).
                    int oxLo = CeilDiv(g.PadW - kx, strideW);
                    int oxHi = CeilDiv(w + g.PadW - kx, strideW);
                    oxLo = Math.Clamp(oxLo, 0, outW);
                    oxHi = Math.Clamp(oxHi, oxLo, outW);
                    int run = oxHi - oxLo;
                    for (int oy = 0; oy < outH; oy++)
                    {
                        ref float dstRow = ref Unsafe.Add(ref dst, (nint)oy * outW);
                        int iy = oy * g.StrideH - g.PadH + ky;
                        if ((uint)iy >= (uint)h)
                        {
                            Fill0(ref dstRow, outW);
                            continue;
                        }

                        Fill0(ref dstRow, oxLo);
                        Fill0(ref Unsafe.Add(ref dstRow, oxHi), outW - oxHi);
                        ref float src = ref Unsafe.Add(ref plane, (nint)iy * w + oxLo * strideW - g.PadW + kx);
                        ref float to = ref Unsafe.Add(ref dstRow, oxLo);
                        Copy(ref src, ref to, run);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Strided convolutions (every stem: 3×3 or 7×7 at stride 2): each channel is first split by stride phase into
    /// a zero-bordered <see cref="PhasePlane"/>, where the im2col row of tap (ky, kx) is the plane's stream at that
    /// tap's offset, so every row is outH contiguous runs copied with vector moves. Gathering every stride-th
    /// element straight from the input, as before, was scalar and cost more than the GEMM it fed on SEP-Net's
    /// 32→64 stride-2 layer (measured). The unfolded values are the same, so results are unchanged.
    /// </summary>
    private static void UnfoldStrided(ReadOnlySpan<float> input, Span<float> columns, in ConvGeometry g)
    {
        var layout = PhasePlane.For(g);
        int outPlane = g.OutPlane, inPlane = g.InHeight * g.InWidth;
        float[] plane = ArrayPool<float>.Shared.Rent(layout.Length);
        try
        {
            int row = 0;
            for (int c = 0; c < g.InChannelsPerGroup; c++)
            {
                layout.Fill(input.Slice(c * inPlane, inPlane), plane, 0f);
                for (int ky = 0; ky < g.KernelH; ky++)
                    for (int kx = 0; kx < g.KernelW; kx++, row++)
                        layout.Compact(plane.AsSpan(layout.TapOffset(ky, kx)), columns.Slice(row * outPlane, outPlane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float src, ref float dst, int count)
    {
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= count; i += w) Vector.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
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
