namespace Pocket.Runtime.Ops;

/// <summary>A standalone ReLU or ReLU6, used only when it could not be fused into the layer that produced its input.</summary>
internal sealed class ActivationOp : Layer
{
    private readonly FusedActivation _activation;

    public ActivationOp(string name, TensorShape shape, FusedActivation activation) : base(name, shape) => _activation = activation;

    /// <summary>Elementwise: any batch, the same cost per sample.</summary>
    public override bool BatchWide => true;

    public override string Kernel => "activation" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        int length = ws.Batch * OutputShape.Length;
        Span<float> output = ws.Slots[OutputSlot].AsSpan(0, length);
        ws.Slots[InputSlots[0]].AsSpan(0, length).CopyTo(output);
        _activation.ApplyInPlace(output);
    }
}
