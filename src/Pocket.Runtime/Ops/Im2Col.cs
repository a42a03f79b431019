namespace Pocket.Runtime.Ops;

/// <summary>
/// Unfolds a group of input channels into the K × pixels matrix the convolution GEMM multiplies
/// (row (c, ky, kx), column (oy, ox)), writing zeros for padding so the GEMM needs no bounds checks.
/// </summary>
internal static class Im2Col
{
    public static void Unfold(ReadOnlySpan<float> input, Span<float> columns, in ConvGeometry g)
    {
        int channels = g.InChannelsPerGroup, h = g.InHeight, w = g.InWidth;
        int outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        int row = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> plane = input.Slice(c * h * w, h * w);
            for (int ky = 0; ky < g.KernelH; ky++)
            {
                for (int kx = 0; kx < g.KernelW; kx++, row++)
                {
                    Span<float> dst = columns.Slice(row * outPlane, outPlane);
                    // Output columns whose input x stays inside the row: ox in [oxLo, oxHi).
                    int oxLo = CeilDiv(g.PadW - kx, g.StrideW);
                    int oxHi = CeilDiv(w + g.PadW - kx, g.StrideW);
                    oxLo = Math.Clamp(oxLo, 0, outW);
                    oxHi = Math.Clamp(oxHi, oxLo, outW);
                    for (int oy = 0; oy < outH; oy++)
                    {
                        Span<float> dstRow = dst.Slice(oy * outW, outW);
                        int iy = oy * g.StrideH - g.PadH + ky;
                        if ((uint)iy >= (uint)h)
                        {
                            dstRow.Clear();
                            continue;
                        }

                        dstRow[..oxLo].Clear();
                        dstRow[oxHi..].Clear();
                        ReadOnlySpan<float> src = plane.Slice(iy * w, w);
                        int ix = oxLo * g.StrideW - g.PadW + kx;
                        if (g.StrideW == 1)
                        {
                            src.Slice(ix, oxHi - oxLo).CopyTo(dstRow[oxLo..oxHi]);
                        }
                        else
                        {
                            for (int ox = oxLo; ox < oxHi; ox++, ix += g.StrideW) dstRow[ox] = src[ix];
                        }
                    }
                }
            }
        }
    }

    /// <summary>Ceiling division that is correct for negative numerators.</summary>
    internal static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
