using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution where every group has one input channel (depthwise, optionally with a channel multiplier), as in
/// MobileNet. im2col would multiply the memory traffic by kH·kW for a K of only kH·kW, so this kernel works
/// directly on the planes: for each tap it adds weight × (shifted input row) to the output row, vectorised along
/// the row when the stride is 1, with the valid column range precomputed so no bounds checks remain.
/// </summary>
internal sealed class DepthwiseConv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly float[] _weights; // outC × kH × kW
    private readonly float[] _bias;
    private readonly FusedActivation _activation;

    public DepthwiseConv2dOp(string name, in ConvGeometry geometry, float[] weights, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        _g = geometry;
        _weights = weights;
        _bias = bias;
        _activation = activation;
    }

    public override long WeightBytes => 4L * (_weights.Length + _bias.Length);

    public override string Kernel => "depthwise-direct " + _g.Describe() + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int batch = ws.Batch;
        int channels = _g.OutChannels;
        int minChannels = Math.Max(1, 16384 / Math.Max(1, _g.OutPlane * _g.KernelH * _g.KernelW));
        ParallelRange.For(batch * channels, ws.Parallelism, minChannels, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                int b = i / channels, oc = i % channels;
                int ic = oc / _g.OutChannelsPerGroup;
                ReadOnlySpan<float> plane = input.AsSpan((b * _g.InChannels + ic) * _g.InPlane, _g.InPlane);
                Span<float> outPlane = output.AsSpan((b * channels + oc) * _g.OutPlane, _g.OutPlane);
                Channel(plane, outPlane, _weights.AsSpan(oc * _g.KernelH * _g.KernelW, _g.KernelH * _g.KernelW), _bias[oc]);
                _activation.ApplyInPlace(outPlane);
            }
        });
    }

    private void Channel(ReadOnlySpan<float> plane, Span<float> outPlane, ReadOnlySpan<float> kernel, float bias)
    {
        ConvGeometry g = _g;
        int outH = g.OutHeight, outW = g.OutWidth, w = g.InWidth, h = g.InHeight;
        outPlane.Fill(bias);
        for (int ky = 0; ky < g.KernelH; ky++)
        {
            for (int kx = 0; kx < g.KernelW; kx++)
            {
                float weight = kernel[ky * g.KernelW + kx];
                int oxLo = Math.Clamp(Im2Col.CeilDiv(g.PadW - kx, g.StrideW), 0, outW);
                int oxHi = Math.Clamp(Im2Col.CeilDiv(w + g.PadW - kx, g.StrideW), oxLo, outW);
                if (oxHi <= oxLo) continue;
                int count = oxHi - oxLo;
                for (int oy = 0; oy < outH; oy++)
                {
                    int iy = oy * g.StrideH - g.PadH + ky;
                    if ((uint)iy >= (uint)h) continue;
                    int ix = oxLo * g.StrideW - g.PadW + kx;
                    Span<float> dst = outPlane.Slice(oy * outW + oxLo, count);
                    if (g.StrideW == 1)
                    {
                        TensorPrimitives.MultiplyAdd(plane.Slice(iy * w + ix, count), weight, dst, dst);
                    }
                    else
                    {
                        ReadOnlySpan<float> src = plane.Slice(iy * w);
                        for (int j = 0; j < count; j++, ix += g.StrideW) dst[j] = MulAdd.Of(weight, src[ix], dst[j]);
                    }
                }
            }
        }
    }
}
