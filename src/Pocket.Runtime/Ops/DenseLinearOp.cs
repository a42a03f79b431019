namespace Pocket.Runtime.Ops;

/// <summary>Fully connected layer with float32 weights (out × in): one SIMD dot product per row and sample.</summary>
internal sealed class DenseLinearOp : Layer
{
    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly int _in;
    private readonly FusedActivation _activation;

    public DenseLinearOp(string name, int outFeatures, int inFeatures, float[] weights, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(outFeatures, 1, 1))
    {
        _in = inFeatures;
        _weights = weights;
        _bias = bias;
        _activation = activation;
    }

    public override long WeightBytes => 4L * (_weights.Length + _bias.Length);

    public override string Kernel => $"linear-dense {_in}->{OutputShape.Channels}" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int outFeatures = OutputShape.Channels, inFeatures = _in, batch = ws.Batch;
        int minRows = Math.Max(1, 32768 / Math.Max(1, inFeatures * batch));
        ParallelRange.For(outFeatures, ws.Parallelism, minRows, (r0, r1) =>
        {
            for (int o = r0; o < r1; o++)
                DotKernels.RowTimesBatch(_weights.AsSpan(o * inFeatures, inFeatures), input, inFeatures, output, outFeatures, o, batch, _bias[o], _activation);
        });
    }
}
