namespace Pocket.Runtime.Ops;

/// <summary>
/// Fully connected layer with float32 weights (out × in). On AVX-512 the weights are held in panels with the outputs
/// in the vector lanes (<see cref="OutputLanesLinear"/>), which reads them once per 4 samples of the whole batch it
/// is given; elsewhere one SIMD dot product per row and sample (<see cref="DotKernels"/>).
/// </summary>
internal sealed class DenseLinearOp : Layer
{
    private readonly float[]? _weights;     // out × in, the dot-product form
    private readonly float[]? _panels;  // OutputLanesLinear panels, the output-lanes form
    private readonly float[] _bias;         // out, or PaddedOutputs(out) with the output-lanes form
    private readonly int _in;
    private readonly FusedActivation _activation;

    public DenseLinearOp(string name, int outFeatures, int inFeatures, float[] weights, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(outFeatures, 1, 1))
    {
        _in = inFeatures;
        _activation = activation;
        if (OutputLanesLinear.IsSupported && (long)inFeatures * OutputLanesLinear.PaddedOutputs(outFeatures) <= Array.MaxLength)
        {
            _panels = OutputLanesLinear.Pack(weights, outFeatures, inFeatures);
            _bias = OutputLanesLinear.PadBias(bias, outFeatures);
        }
        else
        {
            _weights = weights;
            _bias = bias;
        }
    }

    public override long WeightBytes => 4L * ((_panels ?? _weights!).Length + _bias.Length);

    /// <summary>The weights are read once per call whatever the batch, so the network runs this layer over whole
    /// batches rather than tiles.</summary>
    public override bool BatchWide => _panels is not null;

    public override string Kernel => (_panels is not null ? "linear-dense-lanes " : "linear-dense ") + $"{_in}->{OutputShape.Channels}" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int outFeatures = OutputShape.Channels, inFeatures = _in, batch = ws.Batch;
        if (_panels is { } panels)
        {
            // Column tiles per thread: every output is the same chain whichever thread computes it.
            int tiles = (outFeatures + OutputLanesLinear.ColumnTile - 1) / OutputLanesLinear.ColumnTile;
            int minTiles = ParallelRange.MinItems((long)inFeatures * batch * OutputLanesLinear.ColumnTile, ParallelRange.MinStreamedMultiplyAdds);
            ParallelRange.For(tiles, ws.Parallelism, minTiles, (t0, t1) =>
                OutputLanesLinear.Multiply(panels, _bias, input.AsSpan(0, batch * inFeatures), inFeatures,
                    output.AsSpan(0, batch * outFeatures), outFeatures, batch, t0, t1, _activation));
            return;
        }
        float[] weights = _weights!;
        int minRows = Math.Max(1, 32768 / Math.Max(1, inFeatures * batch));
        ParallelRange.For(outFeatures, ws.Parallelism, minRows, (r0, r1) =>
        {
            for (int o = r0; o < r1; o++)
                DotKernels.RowTimesBatch(weights.AsSpan(o * inFeatures, inFeatures), input, inFeatures, output, outFeatures, o, batch, _bias[o], _activation);
        });
    }
}
