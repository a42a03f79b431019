namespace Pocket.Runtime.Ops;

/// <summary>Channel concatenation (Fire module expand1x1 ‖ expand3x3): per sample, the inputs' blocks back to back.</summary>
internal sealed class ConcatOp : Layer
{
    private readonly int[] _inputLengths;

    public ConcatOp(string name, TensorShape[] inputs)
        : base(name, new TensorShape(inputs.Sum(s => s.Channels), inputs[0].Height, inputs[0].Width)) =>
        _inputLengths = inputs.Select(s => s.Length).ToArray();

    public override void Forward(Workspace ws)
    {
        float[] output = ws.Slots[OutputSlot];
        int outLength = OutputShape.Length;
        for (int b = 0; b < ws.Batch; b++)
        {
            int at = b * outLength;
            for (int i = 0; i < _inputLengths.Length; i++)
            {
                int length = _inputLengths[i];
                ws.Slots[InputSlots[i]].AsSpan(b * length, length).CopyTo(output.AsSpan(at, length));
                at += length;
            }
        }
    }
}
