using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// A bordered copy of one input plane, split by stride phase, in which every window tap of every output pixel is
/// one fixed offset from the pixel's flat index, so a sliding-window kernel (depthwise conv, max pooling, the
/// strided unfold) runs as one contiguous vector stream per tap, whatever the stride, padding or plane width.
/// <para>Layout: padded coordinates y' = y + padH, x' = x + padW are split as y' = ty·sH + ry, x' = tx·sW + rx;
/// phase (ry, rx) is a Ty × Tx block at ((ry·sW + rx)·Ty·Tx), element (ty, tx) at ty·Tx + tx. Output pixel
/// (oy, ox) gets the flat index q = oy·Tx + ox and its tap (ky, kx) lies at q + <see cref="TapOffset"/>(ky, kx)
/// = q + ((ky mod sH)·sW + kx mod sW)·Ty·Tx + (ky / sH)·Tx + kx / sW. With Tx = outW + (kW − 1) / sW the row
/// carries only (kW − 1) / sW junk columns (ox ≥ outW), computed and dropped when the result is compacted; at
/// stride 1 this is the usual zero-bordered plane (Tx = W + 2·padW). The idea is XNNPACK's "indirection" made
/// implicit: where XNNPACK keeps a pointer per tap and pixel, here the pointer is base + q + offset, so no
/// pointer table is read and no row is special (narrow 7×7 planes vectorise like 112×112 ones).</para>
/// <para>Cells outside the input hold a border value (0 for convolution, −∞ for max pooling). The buffer has
/// <see cref="Slack"/> extra cells so the last vectors of the stream, which run past the plane into junk lanes,
/// read inside the array.</para>
/// </summary>
internal sealed class PhasePlane
{
    /// <summary>Extra cells past the phase blocks: four 512-bit vectors of stream overrun.</summary>
    public const int Slack = 64;

    private readonly int _inH, _inW, _padH, _padW, _strideH, _strideW;

    public PhasePlane(int inH, int inW, int kH, int kW, int strideH, int strideW, int padH, int padW, int outH, int outW)
    {
        _inH = inH;
        _inW = inW;
        _padH = padH;
        _padW = padW;
        _strideH = strideH;
        _strideW = strideW;
        OutHeight = outH;
        OutWidth = outW;
        Tx = outW + (kW - 1) / strideW;
        Ty = outH + (kH - 1) / strideH;
        BlockLength = Ty * Tx;
        Length = strideH * strideW * BlockLength + Tx + Slack;
        // Per column phase rx: input columns x = x0, x0 + sW, … with (x + padW) mod sW = rx, stored from tx0 on.
        // Precomputed because the integer divisions cost more than copying a 14-float row (measured).
        _phaseFirstX = new int[strideW];
        _phaseDst = new int[strideW];
        _phaseCount = new int[strideW];
        for (int rx = 0; rx < strideW; rx++)
        {
            int x0 = ((rx - padW) % strideW + strideW) % strideW, tx0 = (x0 + padW) / strideW;
            _phaseFirstX[rx] = x0;
            _phaseDst[rx] = rx * BlockLength + tx0;
            _phaseCount[rx] = Math.Max(0, Math.Min((inW - x0 + strideW - 1) / strideW, Tx - tx0));
        }
        PairSplit = strideW == 2 && _phaseCount[0] + _phaseCount[1] == inW && inW >= 8;
    }

    private readonly int[] _phaseFirstX, _phaseDst, _phaseCount;

    /// <summary>Stride-2 columns with every input column stored (no column beyond Tx): a row is split into both
    /// phases in one pass (<see cref="SplitPairs"/>).</summary>
    private readonly bool PairSplit;

    public static PhasePlane For(in ConvGeometry g) =>
        new(g.InHeight, g.InWidth, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadH, g.PadW, g.OutHeight, g.OutWidth);

    public static PhasePlane For(in PoolGeometry g) =>
        new(g.InHeight, g.InWidth, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadH, g.PadW, g.OutHeight, g.OutWidth);

    /// <summary>Row pitch of the phase blocks and of the flat output stream.</summary>
    public int Tx { get; }

    public int Ty { get; }

    public int OutHeight { get; }

    public int OutWidth { get; }

    private int BlockLength { get; }

    /// <summary>Floats the buffer needs (phase blocks + slack).</summary>
    public int Length { get; }

    /// <summary>Flat output indices to compute: outH rows of pitch Tx (the last row's junk columns included).</summary>
    public int StreamLength => OutHeight * Tx;

    public int TapOffset(int ky, int kx) =>
        ((ky % _strideH) * _strideW + kx % _strideW) * BlockLength + ky / _strideH * Tx + kx / _strideW;

    /// <summary>Writes <paramref name="plane"/> (H × W) into <paramref name="buffer"/> (≥ <see cref="Length"/>)
    /// with <paramref name="border"/> everywhere else; input cells no tap reads are dropped.</summary>
    public void Fill(ReadOnlySpan<float> plane, Span<float> buffer, float border)
    {
        if (plane.Length < _inH * _inW || buffer.Length < Length) throw new ArgumentException("phase plane buffers are too small");
        buffer[..Length].Fill(border);
        FillInterior(plane, buffer);
    }

    /// <summary>
    /// Writes <paramref name="plane"/> into the cells of <paramref name="buffer"/> that <see cref="Fill"/> copies it
    /// into, and no others: the same cells for every plane of this layout, so a buffer filled once keeps its border
    /// and the next channel needs only this. Clearing the whole buffer per channel was 40 % of MobileNet α 0.25's
    /// depthwise time at 128×128 on AVX2 (measured by leaving steps out: fill 0.09, stream 0.08, compaction 0.035 of
    /// 0.225 ms).
    /// </summary>
    public void FillInterior(ReadOnlySpan<float> plane, Span<float> buffer)
    {
        if (plane.Length < _inH * _inW || buffer.Length < Length) throw new ArgumentException("phase plane buffers are too small");
        ref float srcPlane = ref MemoryMarshal.GetReference(plane);
        ref float dstRef = ref MemoryMarshal.GetReference(buffer);
        int sW = _strideW, sH = _strideH;
        int ry = _padH % sH, ty = _padH / sH; // phase and row of input row y = 0
        for (int y = 0; y < _inH && ty < Ty; y++)
        {
            ref float src = ref Unsafe.Add(ref srcPlane, (nint)y * _inW);
            ref float rowBase = ref Unsafe.Add(ref dstRef, (nint)ry * sW * BlockLength + (nint)ty * Tx);
            if (PairSplit)
            {
                // Input column x = 0 lands in phase padW mod 2, x = 1 in the other one.
                int even = _padW % 2, odd = 1 - even;
                SplitPairs(ref src, _inW, ref Unsafe.Add(ref rowBase, _phaseDst[even]), ref Unsafe.Add(ref rowBase, _phaseDst[odd]));
            }
            else
            {
                for (int rx = 0; rx < sW; rx++)
                {
                    int count = _phaseCount[rx], x0 = _phaseFirstX[rx];
                    if (count > 0) StridedCopy(ref Unsafe.Add(ref src, x0), sW, ref Unsafe.Add(ref rowBase, _phaseDst[rx]), count, _inW - x0);
                }
            }
            if (++ry == sH)
            {
                ry = 0;
                ty++;
            }
        }
    }

    /// <summary>
    /// evens[i] = src[2i], odds[i] = src[2i + 1] for a row of <paramref name="count"/> ≥ 8 floats: one pair of loads
    /// feeds both phases (the 64→32-bit narrow of the pairs, and of the pairs shifted right by 32 bits). The last
    /// step overlaps the previous one instead of a scalar tail (rows are 14–28 floats in MobileNet's stride-2 layers,
    /// where a per-phase copy with scalar tails cost more than the depthwise arithmetic, measured); only an odd
    /// row's last element is copied alone.
    /// </summary>
    private static void SplitPairs(ref float src, int count, ref float evens, ref float odds)
    {
        int pairs = count / 2;
        if (pairs >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            for (int i = 0; ; i += w)
            {
                if (i + w > pairs) i = pairs - w;
                Vector<ulong> lo = Vector.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i)));
                Vector<ulong> hi = Vector.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i + w)));
                Vector.AsVectorSingle(Vector.Narrow(lo, hi)).StoreUnsafe(ref evens, (nuint)i);
                Vector.AsVectorSingle(Vector.Narrow(Vector.ShiftRightLogical(lo, 32), Vector.ShiftRightLogical(hi, 32))).StoreUnsafe(ref odds, (nuint)i);
                if (i + w >= pairs) break;
            }
        }
        else
        {
            for (int i = 0; ; i += 4)
            {
                if (i + 4 > pairs) i = pairs - 4;
                Vector128<ulong> lo = Vector128.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i)));
                Vector128<ulong> hi = Vector128.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i + 4)));
                Vector128.Narrow(lo, hi).AsSingle().StoreUnsafe(ref evens, (nuint)i);
                Vector128.Narrow(Vector128.ShiftRightLogical(lo, 32), Vector128.ShiftRightLogical(hi, 32)).AsSingle().StoreUnsafe(ref odds, (nuint)i);
                if (i + 4 >= pairs) break;
            }
        }
        if (count % 2 == 1) Unsafe.Add(ref evens, pairs) = Unsafe.Add(ref src, count - 1);
    }

    /// <summary>dst[i] = src[i·stride] for i &lt; count; src has <paramref name="available"/> readable cells.
    /// Stride 1 and 2 use vector moves (stride 2: the even lanes of two vectors, via a 64→32-bit narrow, which
    /// is one instruction on AVX-512 and NEON); others are scalar.</summary>
    private static void StridedCopy(ref float src, int stride, ref float dst, int count, int available)
    {
        int i = 0, w = Vector<float>.Count;
        if (stride == 1)
        {
            CopyRun(ref src, ref dst, count);
            return;
        }
        if (stride == 2)
        {
            // Reads 2w cells from 2i: stay below `available`.
            for (; i + w <= count && 2 * i + 2 * w <= available; i += w)
            {
                Vector<ulong> lo = Vector.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i)));
                Vector<ulong> hi = Vector.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i + w)));
                Vector.AsVectorSingle(Vector.Narrow(lo, hi)).StoreUnsafe(ref dst, (nuint)i);
            }
            // Rows of 7–15 floats (MobileNet's 14×14 → 7×7 layers) in 128-bit steps.
            for (; i + 4 <= count && 2 * i + 8 <= available; i += 4)
            {
                Vector128<ulong> lo = Vector128.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i)));
                Vector128<ulong> hi = Vector128.LoadUnsafe(ref Unsafe.As<float, ulong>(ref Unsafe.Add(ref src, 2 * i + 4)));
                Vector128.Narrow(lo, hi).AsSingle().StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < count; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, (nint)i * stride);
    }

    /// <summary>
    /// dst[i] = src[i] for i &lt; count with whole vectors: the last vector overlaps the previous one instead of a
    /// scalar tail (rows of small planes are 7–28 floats, where a per-element tail or a Memmove call per row cost
    /// more than the window arithmetic, measured on MobileNet's 14×14 layers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(ref float src, ref float dst, int count)
    {
        int w = Vector<float>.Count;
        if (count >= w)
        {
            int i = 0;
            for (; i + w < count; i += w) Vector.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
            Vector.LoadUnsafe(ref src, (nuint)(count - w)).StoreUnsafe(ref dst, (nuint)(count - w));
            return;
        }
        if (count >= 4)
        {
            int i = 0;
            for (; i + 4 < count; i += 4) Vector128.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
            Vector128.LoadUnsafe(ref src, (nuint)(count - 4)).StoreUnsafe(ref dst, (nuint)(count - 4));
            return;
        }
        for (int i = 0; i < count; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    /// <summary><see cref="Compact"/> with an activation for rows of 4 to w − 1 floats, in 128-bit steps.</summary>
    private void CompactClamped128(ref float src, ref float dst, FusedActivation activation)
    {
        int outW = OutWidth;
        Vector128<float> zero = Vector128<float>.Zero, hi = Vector128.Create(activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
        for (int oy = 0; oy < OutHeight; oy++)
        {
            ref float s = ref Unsafe.Add(ref src, (nint)oy * Tx);
            ref float d = ref Unsafe.Add(ref dst, (nint)oy * outW);
            for (int i = 0; ; i += 4)
            {
                if (i + 4 > outW) i = outW - 4;
                Vector128.Min(Vector128.Max(Vector128.LoadUnsafe(ref s, (nuint)i), zero), hi).StoreUnsafe(ref d, (nuint)i);
                if (i + 4 >= outW) break;
            }
        }
    }

    /// <summary>output[oy·outW + ox] = activation(stream[oy·Tx + ox]): drops the junk columns and applies the
    /// layer's fused ReLU/ReLU6 on the way (Vector.Max/Min are NaN-propagating like TensorPrimitives').</summary>
    public void Compact(ReadOnlySpan<float> stream, Span<float> output, FusedActivation activation = FusedActivation.None)
    {
        int outW = OutWidth, outH = OutHeight;
        if (stream.Length < outH * Tx || output.Length < outH * outW) throw new ArgumentException("phase plane output is too small");
        ref float src = ref MemoryMarshal.GetReference(stream);
        ref float dst = ref MemoryMarshal.GetReference(output);
        int w = Vector<float>.Count;
        if (activation != FusedActivation.None && outW < w && outW >= 4)
        {
            CompactClamped128(ref src, ref dst, activation);
            return;
        }
        if (activation == FusedActivation.None || outW < w)
        {
            for (int oy = 0; oy < outH; oy++) CopyRun(ref Unsafe.Add(ref src, (nint)oy * Tx), ref Unsafe.Add(ref dst, (nint)oy * outW), outW);
            activation.ApplyInPlace(output[..(outH * outW)]);
            return;
        }
        Vector<float> zero = Vector<float>.Zero, six = new(6f);
        bool relu6 = activation == FusedActivation.Relu6;
        for (int oy = 0; oy < outH; oy++)
        {
            ref float s = ref Unsafe.Add(ref src, (nint)oy * Tx);
            ref float d = ref Unsafe.Add(ref dst, (nint)oy * outW);
            for (int i = 0; ; i += w)
            {
                if (i + w > outW) i = outW - w; // overlap the last vector (recomputes identical values)
                Vector<float> v = Vector.Max(Vector.LoadUnsafe(ref s, (nuint)i), zero);
                if (relu6) v = Vector.Min(v, six);
                v.StoreUnsafe(ref d, (nuint)i);
                if (i + w >= outW) break;
            }
        }
    }
}
