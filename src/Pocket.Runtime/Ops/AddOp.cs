using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>Element-wise sum of two same-shaped inputs (residual / SqueezeNet bypass).</summary>
internal sealed class AddOp : Layer
{
    public AddOp(string name, TensorShape shape) : base(name, shape) { }

    public override void Forward(Workspace ws)
    {
        int length = ws.Batch * OutputShape.Length;
        TensorPrimitives.Add(
            ws.Slots[InputSlots[0]].AsSpan(0, length),
            ws.Slots[InputSlots[1]].AsSpan(0, length),
            ws.Slots[OutputSlot].AsSpan(0, length));
    }
}
