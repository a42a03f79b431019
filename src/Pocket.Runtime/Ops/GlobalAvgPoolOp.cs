using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>Mean of every channel plane (SqueezeNet/MobileNet heads): C × H × W → C × 1 × 1.</summary>
internal sealed class GlobalAvgPoolOp : Layer
{
    private readonly TensorShape _in;

    public GlobalAvgPoolOp(string name, TensorShape input) : base(name, new TensorShape(input.Channels, 1, 1)) => _in = input;

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int plane = _in.Plane;
        for (int p = 0; p < ws.Batch * _in.Channels; p++)
            output[p] = TensorPrimitives.Sum(input.AsSpan(p * plane, plane)) / plane;
    }
}
