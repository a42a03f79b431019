using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>Softmax over each sample's flattened values (numerically stable: TensorPrimitives subtracts the max).</summary>
internal sealed class SoftmaxOp : Layer
{
    public SoftmaxOp(string name, TensorShape shape) : base(name, shape) { }

    /// <summary>Elementwise: any batch, the same cost per sample.</summary>
    public override bool BatchWide => true;

    public override void Forward(Workspace ws)
    {
        int length = OutputShape.Length;
        float[] input = ws.Slots[InputSlots[0]], output = ws.Slots[OutputSlot];
        for (int b = 0; b < ws.Batch; b++)
            TensorPrimitives.SoftMax(input.AsSpan(b * length, length), output.AsSpan(b * length, length));
    }
}
