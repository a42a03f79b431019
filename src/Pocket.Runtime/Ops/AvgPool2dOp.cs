namespace Pocket.Runtime.Ops;

/// <summary>
/// Average pooling with PyTorch's count_include_pad=True: the divisor counts padding cells, but not the part of a
/// ceil-mode window that hangs past the right/bottom padding (window end clipped to input + pad first).
/// </summary>
internal sealed class AvgPool2dOp(string name, in PoolGeometry geometry) : PoolLayer(name, geometry, "avgpool")
{
    protected override void PoolPlanes(ReadOnlySpan<float> input, Span<float> output, int planes)
    {
        PoolGeometry g = Geometry;
        int inPlane = g.InHeight * g.InWidth, outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> src = input.Slice(p * inPlane, inPlane);
            Span<float> dst = output.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < outH; oy++)
            {
                int y0 = oy * g.StrideH - g.PadH, y1 = Math.Min(y0 + g.KernelH, g.InHeight + g.PadH);
                int windowH = y1 - y0;
                y0 = Math.Max(y0, 0);
                y1 = Math.Min(y1, g.InHeight);
                for (int ox = 0; ox < outW; ox++)
                {
                    int x0 = ox * g.StrideW - g.PadW, x1 = Math.Min(x0 + g.KernelW, g.InWidth + g.PadW);
                    int windowW = x1 - x0;
                    x0 = Math.Max(x0, 0);
                    x1 = Math.Min(x1, g.InWidth);
                    float sum = 0f;
                    for (int y = y0; y < y1; y++)
                    {
                        ReadOnlySpan<float> row = src.Slice(y * g.InWidth);
                        for (int x = x0; x < x1; x++) sum += row[x];
                    }
                    dst[oy * outW + ox] = sum / (windowH * windowW);
                }
            }
        }
    }
}
