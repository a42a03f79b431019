using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Inference BatchNorm that could not be folded into a convolution (its input has other consumers or is not a
/// conv): y = x · scale_c + shift_c with scale = γ/√(var+ε), shift = β − mean·scale precomputed at load.
/// </summary>
internal sealed class BatchNormOp : Layer
{
    private readonly float[] _scale;
    private readonly float[] _shift;
    private readonly FusedActivation _activation;

    public BatchNormOp(string name, TensorShape shape, float[] scale, float[] shift, FusedActivation activation) : base(name, shape)
    {
        _scale = scale;
        _shift = shift;
        _activation = activation;
    }

    public override long WeightBytes => 4L * (_scale.Length + _shift.Length);

    public override string Kernel => "batchnorm" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]], output = ws.Slots[OutputSlot];
        int plane = OutputShape.Plane, channels = OutputShape.Channels;
        for (int p = 0; p < ws.Batch * channels; p++)
        {
            int c = p % channels;
            Span<float> dst = output.AsSpan(p * plane, plane);
            TensorPrimitives.Multiply(input.AsSpan(p * plane, plane), _scale[c], dst);
            TensorPrimitives.Add(dst, _shift[c], dst);
            _activation.ApplyInPlace(dst);
        }
    }
}
