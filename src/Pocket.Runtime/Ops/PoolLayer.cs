namespace Pocket.Runtime.Ops;

/// <summary>
/// What every 2-D pooling layer shares: its window geometry, its output shape, and the split of the batch's
/// (sample, channel) planes over threads. A subclass only reduces a run of whole planes.
/// </summary>
internal abstract class PoolLayer : Layer
{
    private readonly string _kind;

    protected PoolLayer(string name, in PoolGeometry geometry, string kind)
        : base(name, new TensorShape(geometry.Channels, geometry.OutHeight, geometry.OutWidth))
    {
        Geometry = geometry;
        _kind = kind;
    }

    protected PoolGeometry Geometry { get; }

    public override string Kernel => _kind + " " + Geometry.Describe();

    public sealed override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        PoolGeometry g = Geometry;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        // Chunks of about 16 K window reads, so small planes are not handed to threads one by one.
        int grain = Math.Max(1, 16384 / Math.Max(1, outPlane * g.KernelH * g.KernelW));
        ParallelRange.For(ws.Batch * g.Channels, ws.Parallelism, grain, (p0, p1) =>
            PoolPlanes(input.AsSpan(p0 * inPlane, (p1 - p0) * inPlane), output.AsSpan(p0 * outPlane, (p1 - p0) * outPlane), p1 - p0));
    }

    /// <summary>Pools <paramref name="planes"/> whole input planes stored back to back into as many output planes.</summary>
    protected abstract void PoolPlanes(ReadOnlySpan<float> input, Span<float> output, int planes);
}
