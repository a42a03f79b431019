using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution where every group has one input channel (depthwise, optionally with a channel multiplier), as in
/// MobileNet. im2col would multiply the memory traffic by kH·kW for a K of only kH·kW, so this kernel works
/// directly on the planes: stride-1 layers vectorise across output pixels over a zero-bordered copy of the plane
/// (see <see cref="PaddedChannel"/>); strided layers use a per-pixel loop with the taps clipped to the input.
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

    /// <summary>Stride-1 rows at least one vector wide take the padded-plane vector path.</summary>
    private bool UsesPaddedPlane => _g.StrideW == 1 && _g.OutWidth >= Vector<float>.Count;

    private int PaddedWidth => _g.InWidth + 2 * _g.PadW;

    private int PaddedLength => (_g.InHeight + 2 * _g.PadH) * PaddedWidth;

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
    /// Stride-1 columns: the plane is first copied into a zero-bordered buffer, so every output pixel reads all
    /// kH·kW taps without bounds checks and a vector of adjacent output pixels accumulates them in one register
    /// (weights pre-broadcast, unaligned loads of the shifted rows). The last vector of a row overlaps the previous
    /// one instead of leaving a scalar tail; overlapped pixels are recomputed with identical arithmetic.
    /// </summary>
    private void PaddedChannel(ReadOnlySpan<float> plane, float[] paddedBuffer, Span<float> outPlane, ReadOnlySpan<float> kernel, float bias)
    {
        ConvGeometry g = _g;
        int outH = g.OutHeight, outW = g.OutWidth, kH = g.KernelH, kW = g.KernelW, pw = PaddedWidth;
        int vw = Vector<float>.Count;
        Span<float> padded = paddedBuffer.AsSpan(0, PaddedLength);
        padded.Clear();
        for (int y = 0; y < g.InHeight; y++)
            plane.Slice(y * g.InWidth, g.InWidth).CopyTo(padded.Slice((y + g.PadH) * pw + g.PadW));

        Span<Vector<float>> taps = stackalloc Vector<float>[kH * kW];
        for (int t = 0; t < taps.Length; t++) taps[t] = new Vector<float>(kernel[t]);
        ref float inRef = ref MemoryMarshal.GetArrayDataReference(paddedBuffer);
        ref float outRef = ref MemoryMarshal.GetReference(outPlane);

        for (int oy = 0; oy < outH; oy++)
        {
            ref float rowRef = ref Unsafe.Add(ref inRef, (nint)oy * g.StrideH * pw);
            ref float dst = ref Unsafe.Add(ref outRef, (nint)oy * outW);
            for (int ox = 0; ox < outW; ox += vw)
            {
                if (ox + vw > outW) ox = outW - vw;
                Vector<float> acc = new(bias);
                for (int ky = 0; ky < kH; ky++)
                {
                    ref float src = ref Unsafe.Add(ref rowRef, (nint)ky * pw + ox);
                    for (int kx = 0; kx < kW; kx++)
                        acc = MulAdd.Of(taps[ky * kW + kx], Vector.LoadUnsafe(ref src, (nuint)kx), acc);
                }
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
