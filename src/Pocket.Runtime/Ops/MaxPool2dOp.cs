namespace Pocket.Runtime.Ops;

/// <summary>Max pooling; padding never wins (it is −∞ in PyTorch), so windows are simply clipped to the input.</summary>
internal sealed class MaxPool2dOp : Layer
{
    private readonly PoolGeometry _g;

    public MaxPool2dOp(string name, in PoolGeometry geometry)
        : base(name, new TensorShape(geometry.Channels, geometry.OutHeight, geometry.OutWidth)) => _g = geometry;

    public override string Kernel => "maxpool " + _g.Describe();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        PoolGeometry g = _g;
        int inPlane = g.InHeight * g.InWidth, outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        int planes = ws.Batch * g.Channels;
        ParallelRange.For(planes, ws.Parallelism, Math.Max(1, 16384 / Math.Max(1, outPlane * g.KernelH * g.KernelW)), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                ReadOnlySpan<float> src = input.AsSpan(p * inPlane, inPlane);
                Span<float> dst = output.AsSpan(p * outPlane, outPlane);
                for (int oy = 0; oy < outH; oy++)
                {
                    int y0 = oy * g.StrideH - g.PadH, y1 = Math.Min(y0 + g.KernelH, g.InHeight);
                    y0 = Math.Max(y0, 0);
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int x0 = ox * g.StrideW - g.PadW, x1 = Math.Min(x0 + g.KernelW, g.InWidth);
                        x0 = Math.Max(x0, 0);
                        float max = float.NegativeInfinity;
                        for (int y = y0; y < y1; y++)
                        {
                            ReadOnlySpan<float> row = src.Slice(y * g.InWidth);
                            for (int x = x0; x < x1; x++)
                            {
                                float v = row[x];
                                // NaN propagates, as in PyTorch.
                                if (v > max || float.IsNaN(v)) max = v;
                            }
                        }
                        dst[oy * outW + ox] = max;
                    }
                }
            }
        });
    }
}
