namespace Pocket.Runtime.Ops;

/// <summary>x for x ≥ 0, alpha·x below, element-wise (imported ONNX models use it; Pocket's zoo does not).</summary>
internal sealed class LeakyReluOp(string name, TensorShape shape, float alpha) : Layer(name, shape)
{
    public override string Kernel => $"leaky_relu({alpha})";

    /// <summary>One float attribute, [alpha], finite.</summary>
    internal static TensorShape CheckAttributes(NodeContext node, TensorShape output)
    {
        float[] f = node.Node.FloatAttributes;
        if (f.Length != 1) throw node.Error($"LeakyRelu expects 1 float attribute [alpha], got {f.Length}");
        if (!float.IsFinite(f[0])) throw node.Error($"LeakyRelu alpha {f[0]} is not finite");
        return output;
    }

    /// <summary>Elementwise: any batch, the same cost per sample.</summary>
    public override bool BatchWide => true;

    public override void Forward(Workspace ws)
    {
        int length = ws.Batch * OutputShape.Length;
        ReadOnlySpan<float> input = ws.Slots[InputSlots[0]].AsSpan(0, length);
        Span<float> output = ws.Slots[OutputSlot].AsSpan(0, length);
        for (int i = 0; i < length; i++) output[i] = input[i] >= 0 ? input[i] : alpha * input[i];
    }
}
