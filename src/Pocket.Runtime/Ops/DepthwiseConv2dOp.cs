using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution where every group has one input channel (depthwise, optionally with a channel multiplier), as in
/// MobileNet. im2col would multiply the memory traffic by kH·kW for a K of only kH·kW, so this kernel works
/// directly on the planes: layers whose rows are at least a vector wide vectorise across output pixels over a
/// zero-bordered, phase-split copy of the plane (see <see cref="PaddedChannel"/>); narrower ones use a per-pixel loop
/// with the taps clipped to the input.
/// Quantized filters stay codes (<see cref="ConvFilters"/>); each channel's kH·kW taps are decoded into a
/// per-thread buffer just before that channel runs, which costs kH·kW against kH·kW·pixels multiply-adds.
/// </summary>
internal sealed class DepthwiseConv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly ConvFilters _filters; // outC × kH × kW
    private readonly float[] _bias;
    private readonly FusedActivation _activation;

    public DepthwiseConv2dOp(string name, in ConvGeometry geometry, ConvFilters filters, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        _g = geometry;
        _filters = filters;
        _bias = bias;
        _activation = activation;
    }

    public override long WeightBytes => _filters.Bytes + 4L * _bias.Length;

    public override string Kernel => "depthwise-direct " + _g.Describe() + _filters.Describe() + _activation.Suffix();

    /// <summary>Rows at least one vector wide take the padded-plane vector path (any stride).</summary>
    private bool UsesPaddedPlane => _g.OutWidth >= Vector<float>.Count;

    private int PaddedWidth => _g.InWidth + 2 * _g.PadW;

    /// <summary>Padded columns per phase: the padded row split into stride runs (see <see cref="PaddedChannel"/>).</summary>
    private int PhaseLength => (PaddedWidth + _g.StrideW - 1) / _g.StrideW;

    private int PaddedLength => (_g.InHeight + 2 * _g.PadH) * _g.StrideW * PhaseLength;

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int batch = ws.Batch;
        int channels = _g.OutChannels;
        int minChannels = Math.Max(1, 16384 / Math.Max(1, _g.OutPlane * _g.KernelH * _g.KernelW));
        ParallelRange.For(batch * channels, ws.Parallelism, minChannels, (start, end) =>
        {
            // Each chunk (thread) gets its own padded-plane buffer, and its own tap buffer for quantized filters.
            float[]? padded = UsesPaddedPlane ? ArrayPool<float>.Shared.Rent(PaddedLength) : null;
            int tapCount = _g.KernelH * _g.KernelW;
            float[]? decoded = _filters.Dense is null ? ArrayPool<float>.Shared.Rent(tapCount) : null;
            try
            {
                for (int i = start; i < end; i++)
                {
                    int b = i / channels, oc = i % channels;
                    int ic = oc / _g.OutChannelsPerGroup;
                    ReadOnlySpan<float> plane = input.AsSpan((b * _g.InChannels + ic) * _g.InPlane, _g.InPlane);
                    Span<float> outPlane = output.AsSpan((b * channels + oc) * _g.OutPlane, _g.OutPlane);
                    ReadOnlySpan<float> kernel;
                    if (_filters.Dense is { } dense)
                    {
                        kernel = dense.AsSpan(oc * tapCount, tapCount);
                    }
                    else
                    {
                        _filters.Decode(oc, 1, decoded.AsSpan(0, tapCount));
                        kernel = decoded.AsSpan(0, tapCount);
                    }
                    if (padded is not null) PaddedChannel(plane, padded, outPlane, kernel, _bias[oc]);
                    else DirectChannel(plane, outPlane, kernel, _bias[oc]);
                    _activation.ApplyInPlace(outPlane);
                }
            }
            finally
            {
                if (padded is not null) ArrayPool<float>.Shared.Return(padded);
                if (decoded is not null) ArrayPool<float>.Shared.Return(decoded);
            }
        });
    }

    /// <summary>
    /// Rows at least one vector wide, any stride: the plane is first copied into a zero-bordered buffer whose
    /// columns are split by phase (column x of the padded row goes to phase x mod stride, index x / stride), so the
    /// taps kx of a vector of adjacent output pixels ox… read the contiguous run phase kx mod stride, index
    /// ox + kx / stride — no bounds checks and no gathers, even at stride 2. A vector of output pixels accumulates
    /// all kH·kW taps in one register (weights pre-broadcast, unaligned loads). The last vector of a row overlaps
    /// the previous one instead of leaving a scalar tail; overlapped pixels are recomputed with identical arithmetic.
    /// </summary>
    private void PaddedChannel(ReadOnlySpan<float> plane, float[] paddedBuffer, Span<float> outPlane, ReadOnlySpan<float> kernel, float bias)
    {
        ConvGeometry g = _g;
        int outH = g.OutHeight, outW = g.OutWidth, kH = g.KernelH, kW = g.KernelW, stride = g.StrideW;
        int phaseLength = PhaseLength, rowStride = stride * phaseLength;
        int vw = Vector<float>.Count;
        Span<float> padded = paddedBuffer.AsSpan(0, PaddedLength);
        padded.Clear();
        for (int y = 0; y < g.InHeight; y++)
        {
            ReadOnlySpan<float> src = plane.Slice(y * g.InWidth, g.InWidth);
            Span<float> dst = padded.Slice((y + g.PadH) * rowStride);
            if (stride == 1)
            {
                src.CopyTo(dst.Slice(g.PadW));
                continue;
            }
            // Phase by phase, so the destination index just counts up (no division per element).
            ref float srcRef = ref MemoryMarshal.GetReference(src);
            for (int phase = 0; phase < stride; phase++)
            {
                int x = ((phase - g.PadW) % stride + stride) % stride; // first input column of this phase
                ref float to = ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), phase * phaseLength + (x + g.PadW) / stride);
                for (int i = 0; x < src.Length; x += stride, i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref srcRef, x);
            }
        }

        Span<Vector<float>> taps = stackalloc Vector<float>[kH * kW];
        for (int t = 0; t < taps.Length; t++) taps[t] = new Vector<float>(kernel[t]);
        Span<int> tapOffsets = stackalloc int[kH * kW];
        for (int ky = 0; ky < kH; ky++)
            for (int kx = 0; kx < kW; kx++)
                tapOffsets[ky * kW + kx] = ky * rowStride + kx % stride * phaseLength + kx / stride;
        ref float inRef = ref MemoryMarshal.GetArrayDataReference(paddedBuffer);
        ref float outRef = ref MemoryMarshal.GetReference(outPlane);
        ref Vector<float> tapRef = ref MemoryMarshal.GetReference(taps);
        ref int offsetRef = ref MemoryMarshal.GetReference(tapOffsets);
        int tapCount = taps.Length;

        for (int oy = 0; oy < outH; oy++)
        {
            ref float rowRef = ref Unsafe.Add(ref inRef, (nint)oy * g.StrideH * rowStride);
            ref float dst = ref Unsafe.Add(ref outRef, (nint)oy * outW);
            for (int ox = 0; ox < outW; ox += vw)
            {
                if (ox + vw > outW) ox = outW - vw;
                ref float src = ref Unsafe.Add(ref rowRef, ox);
                Vector<float> acc = new(bias);
                for (int t = 0; t < tapCount; t++)
                    acc = MulAdd.Of(Unsafe.Add(ref tapRef, t), Vector.LoadUnsafe(ref Unsafe.Add(ref src, Unsafe.Add(ref offsetRef, t))), acc);
                acc.StoreUnsafe(ref dst, (nuint)ox);
            }
        }
    }

    /// <summary>Strided or very narrow layers: one output pixel at a time, taps clipped to the input.</summary>
    private void DirectChannel(ReadOnlySpan<float> plane, Span<float> outPlane, ReadOnlySpan<float> kernel, float bias)
    {
        ConvGeometry g = _g;
        int outW = g.OutWidth;
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            int iy0 = oy * g.StrideH - g.PadH;
            int kyLo = Math.Max(0, -iy0), kyHi = Math.Min(g.KernelH, g.InHeight - iy0);
            for (int ox = 0; ox < outW; ox++)
            {
                int ix0 = ox * g.StrideW - g.PadW;
                int kxLo = Math.Max(0, -ix0), kxHi = Math.Min(g.KernelW, g.InWidth - ix0);
                float s = bias;
                for (int ky = kyLo; ky < kyHi; ky++)
                {
                    ReadOnlySpan<float> row = plane.Slice((iy0 + ky) * g.InWidth);
                    for (int kx = kxLo; kx < kxHi; kx++) s = MulAdd.Of(kernel[ky * g.KernelW + kx], row[ix0 + kx], s);
                }
                outPlane[oy * outW + ox] = s;
            }
        }
    }
}
