using System.Buffers;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution where every group has one input channel (depthwise, optionally with a channel multiplier), as in
/// MobileNet. im2col would multiply the memory traffic by kH·kW for a K of only kH·kW, so this kernel works
/// directly on the planes: each channel is copied into a zero-bordered, stride-phase-split <see cref="PhasePlane"/>
/// in which every tap of every output pixel is a fixed offset from the pixel's flat index, and
/// <see cref="WindowStream.MultiplyAdd"/> then runs the whole plane as one vector stream (kH·kW FMAs per vector of
/// pixels, four vectors in flight), whatever the stride or row width. XNNPACK's f32-dwconv micro-kernels get the
/// same effect from an indirection buffer of row pointers; here the "pointer" is implicit, and the 7×7 planes of
/// MobileNet's last layers vectorise like the 112×112 ones (rows narrower than a vector used to run scalar).
/// Quantized filters stay codes (<see cref="ConvFilters"/>); each channel's kH·kW taps are decoded into a
/// per-thread buffer just before that channel runs, which costs kH·kW against kH·kW·pixels multiply-adds.
/// Each output is its bias plus one FMA per tap in (ky, kx) order, as before, so results are unchanged.
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

    public override string Kernel => (Depthwise3x3Rows.Serves(_g) ? "depthwise-direct-rows " : "depthwise-direct ") + _g.Describe() + _filters.Describe() + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int batch = ws.Batch;
        int channels = _g.OutChannels;
        int minChannels = ParallelRange.MinItems((long)_g.OutPlane * _g.KernelH * _g.KernelW, ParallelRange.MinStreamedMultiplyAdds);
        var layout = PhasePlane.For(_g);
        int tapCount = _g.KernelH * _g.KernelW;
        if (Depthwise3x3Rows.Serves(_g))
        {
            ParallelRange.For(batch * channels, ws.Parallelism, minChannels, (start, end) =>
            {
                float[]? decoded = _filters.Dense is null ? ArrayPool<float>.Shared.Rent(tapCount) : null;
                try
                {
                    for (int i = start; i < end; i++)
                    {
                        int b = i / channels, oc = i % channels;
                        int inPlane = b * _g.InChannels + oc / _g.OutChannelsPerGroup;
                        ReadOnlySpan<float> kernel = FilterTaps(oc, decoded);
                        Depthwise3x3Rows.Plane(input.AsSpan(inPlane * _g.InPlane, _g.InPlane), _g.InHeight, _g.InWidth, _g.StrideH, kernel, _bias[oc],
                            output.AsSpan((b * channels + oc) * _g.OutPlane, _g.OutPlane), _g.OutHeight, _g.OutWidth, _activation);
                    }
                }
                finally
                {
                    if (decoded is not null) ArrayPool<float>.Shared.Return(decoded);
                }
            });
            return;
        }
        ParallelRange.For(batch * channels, ws.Parallelism, minChannels, (start, end) =>
        {
            // Each chunk (thread) gets its own phase plane and stream buffers, and its own tap buffer for quantized filters.
            float[] plane = ArrayPool<float>.Shared.Rent(layout.Length);
            float[] stream = ArrayPool<float>.Shared.Rent(WindowStream.StreamBufferLength(layout.StreamLength));
            float[]? decoded = _filters.Dense is null ? ArrayPool<float>.Shared.Rent(tapCount) : null;
            Span<int> offsets = stackalloc int[tapCount];
            for (int ky = 0; ky < _g.KernelH; ky++)
                for (int kx = 0; kx < _g.KernelW; kx++)
                    offsets[ky * _g.KernelW + kx] = layout.TapOffset(ky, kx);
            try
            {
                int lastPlane = -1;
                for (int i = start; i < end; i++)
                {
                    int b = i / channels, oc = i % channels;
                    int inPlane = b * _g.InChannels + oc / _g.OutChannelsPerGroup;
                    if (inPlane != lastPlane) // a channel multiplier > 1 reuses the plane
                    {
                        // The zero border is written once per chunk; later channels overwrite only the interior.
                        ReadOnlySpan<float> channel = input.AsSpan(inPlane * _g.InPlane, _g.InPlane);
                        if (lastPlane < 0) layout.Fill(channel, plane, 0f);
                        else layout.FillInterior(channel, plane);
                        lastPlane = inPlane;
                    }
                    ReadOnlySpan<float> kernel = FilterTaps(oc, decoded);
                    WindowStream.MultiplyAdd(plane, offsets, kernel, _bias[oc], stream, layout.StreamLength);
                    Span<float> outPlane = output.AsSpan((b * channels + oc) * _g.OutPlane, _g.OutPlane);
                    layout.Compact(stream, outPlane, _activation);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(plane);
                ArrayPool<float>.Shared.Return(stream);
                if (decoded is not null) ArrayPool<float>.Shared.Return(decoded);
            }
        });
    }

    /// <summary>Output channel <paramref name="oc"/>'s kH·kW taps: a slice of the float filters, or decoded into
    /// <paramref name="decoded"/> (a per-thread buffer) from quantized ones.</summary>
    private ReadOnlySpan<float> FilterTaps(int oc, float[]? decoded)
    {
        int tapCount = _g.KernelH * _g.KernelW;
        if (_filters.Dense is { } dense) return dense.AsSpan(oc * tapCount, tapCount);
        _filters.Decode(oc, 1, decoded.AsSpan(0, tapCount));
        return decoded.AsSpan(0, tapCount);
    }
}
