namespace Pocket.Runtime.Ops;

/// <summary>
/// Dense float convolution for any kernel, stride, padding and groups: per sample and group, im2col then the
/// register-blocked <see cref="Gemm"/>. A 1×1/stride-1/unpadded convolution skips im2col (its input already is the
/// K × pixels matrix). Compressed conv weights (quantized or sparse) are densified at load: conv layers hold few
/// parameters and are compute-bound, so their speed matters more than their bytes (the file stays compressed).
/// Bias, a folded BatchNorm and a fused ReLU/ReLU6 are applied in the GEMM epilogue.
/// </summary>
internal sealed class Conv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly float[] _weights; // outC × (inC/groups · kH · kW), the PyTorch layout
    private readonly float[] _bias;    // outC (zeros when the model has none)
    private readonly FusedActivation _activation;

    public Conv2dOp(string name, in ConvGeometry geometry, float[] weights, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        _g = geometry;
        _weights = weights;
        _bias = bias;
        _activation = activation;
    }

    public override long WeightBytes => 4L * (_weights.Length + _bias.Length);

    public override long ScratchLength(int batch) => _g.IsPointwise ? 0 : (long)_g.FilterLength * _g.OutPlane;

    public override string Kernel => (_g.IsPointwise ? "conv1x1-gemm " : "conv-im2col-gemm ") + _g.Describe() + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        float[] scratch = ws.Scratch;
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane, outLength = OutputShape.Length;
        int k = g.FilterLength, n = g.OutPlane, rowsPerGroup = g.OutChannelsPerGroup;

        for (int b = 0; b < ws.Batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                int inOffset = b * inLength + group * g.InChannelsPerGroup * g.InPlane;
                float[] columns;
                int columnsOffset;
                if (g.IsPointwise)
                {
                    columns = input;
                    columnsOffset = inOffset;
                }
                else
                {
                    Im2Col.Unfold(input.AsSpan(inOffset, g.InChannelsPerGroup * g.InPlane), scratch.AsSpan(0, k * n), g);
                    columns = scratch;
                    columnsOffset = 0;
                }

                int outOffset = b * outLength + group * rowsPerGroup * n;
                int weightOffset = group * rowsPerGroup * k;
                int biasOffset = group * rowsPerGroup;
                // Rows (output channels) are independent; spread them when the layer is big enough to pay for it.
                int minRows = Math.Max(4, (int)(65536L / Math.Max(1L, (long)k * n)) * 4);
                ParallelRange.For(rowsPerGroup, ws.Parallelism, minRows, (r0, r1) =>
                {
                    Span<float> c = output.AsSpan(outOffset, rowsPerGroup * n);
                    Gemm.Multiply(
                        _weights.AsSpan(weightOffset, rowsPerGroup * k),
                        columns.AsSpan(columnsOffset, k * n),
                        c,
                        _bias.AsSpan(biasOffset, rowsPerGroup),
                        n, k, r0, r1);
                    _activation.ApplyInPlace(c[(r0 * n)..(r1 * n)]);
                });
            }
        }
    }
}
