using System.Buffers;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Max pooling; padding never wins (it is −∞ in PyTorch), so the plane is copied into a −∞-bordered,
/// stride-phase-split <see cref="PhasePlane"/> and each output is the max of kH·kW fixed offsets from its flat
/// index, one vector stream per plane (<see cref="WindowStream.Max"/>). Ceil-mode windows that hang past the input
/// read −∞ there; PyTorch's last-window rule (<see cref="PoolGeometry"/>) guarantees each window one real cell.
/// The separable row-max loop this replaces finished every output with a scalar, branchy kW-wide max, which cost
/// SqueezeNet's 3×3/stride-2 pools more than the convolutions around them (measured: 2 ms of a 10 ms network).
/// NaN propagates, as in PyTorch: Vector.Max is IEEE 754:2019 maximum since .NET 9.
/// </summary>
internal sealed class MaxPool2dOp(string name, in PoolGeometry geometry) : PoolLayer(name, geometry, "maxpool")
{
    protected override void PoolPlanes(ReadOnlySpan<float> input, Span<float> output, int planes)
    {
        PoolGeometry g = Geometry;
        var layout = PhasePlane.For(g);
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        float[] plane = ArrayPool<float>.Shared.Rent(layout.Length);
        float[] stream = ArrayPool<float>.Shared.Rent(WindowStream.StreamBufferLength(layout.StreamLength));
        Span<int> offsets = stackalloc int[g.KernelH * g.KernelW];
        for (int ky = 0; ky < g.KernelH; ky++)
            for (int kx = 0; kx < g.KernelW; kx++)
                offsets[ky * g.KernelW + kx] = layout.TapOffset(ky, kx);
        try
        {
            for (int p = 0; p < planes; p++)
            {
                layout.Fill(input.Slice(p * inPlane, inPlane), plane, float.NegativeInfinity);
                WindowStream.Max(plane, offsets, stream, layout.StreamLength);
                layout.Compact(stream, output.Slice(p * outPlane, outPlane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(plane);
            ArrayPool<float>.Shared.Return(stream);
        }
    }
}
