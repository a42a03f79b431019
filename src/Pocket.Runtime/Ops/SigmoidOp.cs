namespace Pocket.Runtime.Ops;

/// <summary>The logistic function, element-wise (imported ONNX models use it; Pocket's zoo does not).</summary>
internal sealed class SigmoidOp(string name, TensorShape shape) : Layer(name, shape)
{
    public override string Kernel => "sigmoid";

    /// <summary>Elementwise: any batch, the same cost per sample.</summary>
    public override bool BatchWide => true;

    public override void Forward(Workspace ws)
    {
        int length = ws.Batch * OutputShape.Length;
        ReadOnlySpan<float> input = ws.Slots[InputSlots[0]].AsSpan(0, length);
        Span<float> output = ws.Slots[OutputSlot].AsSpan(0, length);
        for (int i = 0; i < length; i++) output[i] = 1f / (1f + MathF.Exp(-input[i]));
    }
}
