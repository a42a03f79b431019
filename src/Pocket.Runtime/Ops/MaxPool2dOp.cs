using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Max pooling, separable (max is exact in any order): first along rows, then down columns. Padding never wins
/// (it is −∞ in PyTorch). The horizontal pass copies the plane into a −∞-bordered, column-phase-split
/// <see cref="PhasePlane"/> (kH = 1, stride 1 vertically), where the kW taps of every output column are fixed
/// offsets, and reduces it as one vector stream (<see cref="WindowStream.Max"/>): one row of row-maxima per
/// input row, outW of every Tx cells valid. The vertical pass takes the max of each output row's kH input rows,
/// clipped to the plane (rows outside are padding), a vector at a time, straight into the output.
/// Before, every output was a scalar, branchy kW-wide max (2 ms of SqueezeNet's 10 ms at 224, measured); a
/// non-separable kH·kW stream costs 9 loads per output against about 4 here.
/// Ceil-mode windows that hang past the input read −∞ there; PyTorch's last-window rule (<see cref="PoolGeometry"/>)
/// guarantees each window one real cell. NaN propagates, as in PyTorch: Vector.Max is IEEE 754:2019 maximum.
/// </summary>
internal sealed class MaxPool2dOp(string name, in PoolGeometry geometry) : PoolLayer(name, geometry, "maxpool")
{
    protected override void PoolPlanes(ReadOnlySpan<float> input, Span<float> output, int planes)
    {
        PoolGeometry g = Geometry;
        if (MaxPool3x3Rows.Serves(g))
        {
            int planeIn = g.InHeight * g.InWidth, planeOut = g.OutHeight * g.OutWidth;
            for (int p = 0; p < planes; p++)
                MaxPool3x3Rows.Plane(input.Slice(p * planeIn, planeIn), g.InHeight, g.InWidth, g.PadH, output.Slice(p * planeOut, planeOut), g.OutHeight, g.OutWidth);
            return;
        }
        // Rows of the horizontal pass: every input row, each reduced to outW maxima (pitch Tx).
        var rows = new PhasePlane(g.InHeight, g.InWidth, 1, g.KernelW, 1, g.StrideW, 0, g.PadW, g.InHeight, g.OutWidth);
        int inPlane = g.InHeight * g.InWidth, outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        float[] plane = ArrayPool<float>.Shared.Rent(rows.Length);
        float[] rowMax = ArrayPool<float>.Shared.Rent(WindowStream.StreamBufferLength(rows.StreamLength));
        Span<int> offsets = stackalloc int[g.KernelW];
        for (int kx = 0; kx < g.KernelW; kx++) offsets[kx] = rows.TapOffset(0, kx);
        try
        {
            for (int p = 0; p < planes; p++)
            {
                // The −∞ border is written once; later planes overwrite only the interior.
                if (p == 0) rows.Fill(input.Slice(0, inPlane), plane, float.NegativeInfinity);
                else rows.FillInterior(input.Slice(p * inPlane, inPlane), plane);
                WindowStream.Max(plane, offsets, rowMax, rows.StreamLength);
                Columns(rowMax, rows.Tx, output.Slice(p * outPlane, outPlane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(plane);
            ArrayPool<float>.Shared.Return(rowMax);
        }
    }

    /// <summary>out[oy, ox] = max over the window's rows y (clipped to the input) of rowMax[y·pitch + ox].</summary>
    private void Columns(ReadOnlySpan<float> rowMax, int pitch, Span<float> output)
    {
        PoolGeometry g = Geometry;
        int outW = g.OutWidth, w = Vector<float>.Count;
        ref float src = ref MemoryMarshal.GetReference(rowMax);
        ref float dst = ref MemoryMarshal.GetReference(output);
        if (rowMax.Length < g.InHeight * pitch || output.Length < g.OutHeight * outW) throw new ArgumentException("pooling buffers are too small");
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            int y0 = oy * g.StrideH - g.PadH, y1 = Math.Min(y0 + g.KernelH, g.InHeight);
            y0 = Math.Max(y0, 0);
            ref float first = ref Unsafe.Add(ref src, (nint)y0 * pitch);
            ref float d = ref Unsafe.Add(ref dst, (nint)oy * outW);
            if (outW >= w)
            {
                for (int i = 0; ; i += w)
                {
                    if (i + w > outW) i = outW - w; // the last vector overlaps the previous one (same values)
                    Vector<float> m = Vector.LoadUnsafe(ref first, (nuint)i);
                    for (int y = y0 + 1; y < y1; y++) m = Vector.Max(m, Vector.LoadUnsafe(ref Unsafe.Add(ref src, (nint)y * pitch), (nuint)i));
                    m.StoreUnsafe(ref d, (nuint)i);
                    if (i + w >= outW) break;
                }
                continue;
            }
            for (int i = 0; i < outW; i++)
            {
                float m = Unsafe.Add(ref first, i);
                for (int y = y0 + 1; y < y1; y++)
                {
                    float v = Unsafe.Add(ref src, (nint)y * pitch + i);
                    if (v > m || float.IsNaN(v)) m = v;
                }
                Unsafe.Add(ref d, i) = m;
            }
        }
    }
}
