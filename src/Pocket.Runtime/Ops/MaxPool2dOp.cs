using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Max pooling; padding never wins (it is −∞ in PyTorch), so windows are simply clipped to the input.
/// Separable: per output row, the window's input rows are first reduced element-wise with vector max (a whole row
/// at a time), then each output takes the max of its kW entries of that reduced row. The scalar 4-deep window loop
/// this replaces cost LeNet-5 as much as its conv1 (measured); rows are short (LeNet: 24 floats), so the vector
/// loop is inline rather than a TensorPrimitives call per row. NaN propagates, as in PyTorch: Vector.Max is
/// IEEE 754:2019 maximum since .NET 9 (MaxNative is the non-propagating one).
/// </summary>
internal sealed class MaxPool2dOp(string name, in PoolGeometry geometry) : PoolLayer(name, geometry, "maxpool")
{
    protected override void PoolPlanes(ReadOnlySpan<float> input, Span<float> output, int planes)
    {
        PoolGeometry g = Geometry;
        int inPlane = g.InHeight * g.InWidth, outH = g.OutHeight, outW = g.OutWidth, outPlane = outH * outW;
        float[] rowBuffer = ArrayPool<float>.Shared.Rent(g.InWidth);
        try
        {
            Span<float> rowMax = rowBuffer.AsSpan(0, g.InWidth);
            for (int p = 0; p < planes; p++)
            {
                ReadOnlySpan<float> src = input.Slice(p * inPlane, inPlane);
                Span<float> dst = output.Slice(p * outPlane, outPlane);
                for (int oy = 0; oy < outH; oy++)
                {
                    int y0 = oy * g.StrideH - g.PadH, y1 = Math.Min(y0 + g.KernelH, g.InHeight);
                    y0 = Math.Max(y0, 0);
                    src.Slice(y0 * g.InWidth, g.InWidth).CopyTo(rowMax);
                    for (int y = y0 + 1; y < y1; y++) MaxInto(rowMax, src.Slice(y * g.InWidth, g.InWidth));
                    Span<float> dstRow = dst.Slice(oy * outW, outW);
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int x0 = ox * g.StrideW - g.PadW, x1 = Math.Min(x0 + g.KernelW, g.InWidth);
                        x0 = Math.Max(x0, 0);
                        float max = rowMax[x0];
                        for (int x = x0 + 1; x < x1; x++)
                        {
                            float v = rowMax[x];
                            if (v > max || float.IsNaN(v)) max = v;
                        }
                        dstRow[ox] = max;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rowBuffer);
        }
    }

    /// <summary>acc[i] = max(acc[i], row[i]), NaN-propagating.</summary>
    private static void MaxInto(Span<float> acc, ReadOnlySpan<float> row)
    {
        ref float a = ref MemoryMarshal.GetReference(acc);
        ref float r = ref MemoryMarshal.GetReference(row);
        int n = Math.Min(acc.Length, row.Length), w = Vector<float>.Count, i = 0;
        for (; i + w <= n; i += w) Vector.Max(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref r, i);
            if (v > Unsafe.Add(ref a, i) || float.IsNaN(v)) Unsafe.Add(ref a, i) = v;
        }
    }
}
