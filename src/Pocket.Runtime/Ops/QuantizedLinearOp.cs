using System.Buffers;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Fully connected layer stored as one codebook index per weight (trained quantization, Han et al. 2015 §3):
/// a byte per weight instead of four when the codebook has ≤ 256 entries (ushort otherwise). Each row is
/// decoded into a small per-thread buffer once and then multiplied with every sample of the tile, so batches
/// pay the decode once per row. Used for unpruned quantized layers, and for pruned ones dense enough that CSR
/// would not be smaller (zero then becomes one more codebook entry).
/// </summary>
internal sealed class QuantizedLinearOp : Layer
{
    private readonly float[] _codebook;
    private readonly byte[]? _byteCodes;
    private readonly ushort[]? _shortCodes;
    private readonly float[] _bias;
    private readonly int _in;
    private readonly FusedActivation _activation;

    public QuantizedLinearOp(string name, int outFeatures, int inFeatures, float[] codebook, ushort[] codes, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(outFeatures, 1, 1))
    {
        _in = inFeatures;
        _codebook = codebook;
        if (codebook.Length <= 256)
        {
            _byteCodes = new byte[codes.Length];
            for (int i = 0; i < codes.Length; i++) _byteCodes[i] = (byte)codes[i];
        }
        else
        {
            _shortCodes = (ushort[])codes.Clone();
        }

        _bias = bias;
        _activation = activation;
    }

    /// <summary>Resident bytes a quantized-dense layer would take, to compare with CSR at load.</summary>
    public static long BytesFor(long elements, int codebookLength, int outFeatures) =>
        elements * (codebookLength <= 256 ? 1 : 2) + 4L * codebookLength + 4L * outFeatures;

    public override long WeightBytes => (_byteCodes?.Length ?? 0) + 2L * (_shortCodes?.Length ?? 0) + 4L * (_codebook.Length + _bias.Length);

    public override string Kernel => $"linear-quantized {_in}->{OutputShape.Channels} ({_codebook.Length} centroids)" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int outFeatures = OutputShape.Channels, inFeatures = _in, batch = ws.Batch;
        int minRows = Math.Max(1, 32768 / Math.Max(1, inFeatures * batch));
        ParallelRange.For(outFeatures, ws.Parallelism, minRows, (r0, r1) =>
        {
            float[] row = ArrayPool<float>.Shared.Rent(inFeatures);
            try
            {
                Span<float> decoded = row.AsSpan(0, inFeatures);
                float[] codebook = _codebook;
                for (int o = r0; o < r1; o++)
                {
                    int start = o * inFeatures;
                    if (_byteCodes is { } bytes)
                    {
                        ReadOnlySpan<byte> codes = bytes.AsSpan(start, inFeatures);
                        for (int i = 0; i < decoded.Length; i++) decoded[i] = codebook[codes[i]];
                    }
                    else
                    {
                        ReadOnlySpan<ushort> codes = _shortCodes.AsSpan(start, inFeatures);
                        for (int i = 0; i < decoded.Length; i++) decoded[i] = codebook[codes[i]];
                    }

                    DotKernels.RowTimesBatch(decoded, input, inFeatures, output, outFeatures, o, batch, _bias[o], _activation);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(row);
            }
        });
    }
}
