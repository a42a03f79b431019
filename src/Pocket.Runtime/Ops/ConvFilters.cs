using Pocket.Format;

namespace Pocket.Runtime.Ops;

/// <summary>
/// The filters of a convolution as the runtime holds them: one row of K = inC/groups · kH · kW weights per output
/// channel, either float32 (uncompressed models) or one codebook index per weight — a byte when the codebook has
/// ≤ 256 entries, a ushort otherwise — plus the codebook. Quantized filters are never densified: kernels decode a
/// few rows at a time into a panel the call owns, right before using them, so a layer costs 1 byte per weight
/// resident instead of 4 (LeNet-5's 8-bit conv1 needed 2 KB as floats).
/// <para>A folded BatchNorm scales each output channel, which would break the codebook that all channels share,
/// so quantized filters keep the per-channel scale and apply it while decoding: cb[code] · scale is exactly the
/// product the densify-then-fold path computed, so both give bit-identical results.</para>
/// </summary>
internal sealed class ConvFilters
{
    private readonly float[]? _dense;      // Rows × Length floats (BatchNorm already folded)
    private readonly byte[]? _byteCodes;   // Rows × Length codebook indices
    private readonly ushort[]? _shortCodes;
    private readonly float[] _codebook = [];
    private readonly float[]? _scale;      // per row, quantized filters with a folded BatchNorm only

    private ConvFilters(int rows, int length, float[] dense)
    {
        Rows = rows;
        Length = length;
        _dense = dense;
    }

    /// <summary>Takes ownership of freshly built codes (no copy).</summary>
    private ConvFilters(int rows, int length, float[] codebook, byte[]? byteCodes, ushort[]? shortCodes, float[]? scale)
    {
        Rows = rows;
        Length = length;
        _codebook = codebook;
        _scale = scale;
        _byteCodes = byteCodes;
        _shortCodes = shortCodes;
    }

    private ConvFilters(int rows, int length, float[] codebook, ReadOnlySpan<ushort> codes, float[]? scale)
    {
        Rows = rows;
        Length = length;
        _codebook = codebook;
        _scale = scale;
        if (codebook.Length <= 256)
        {
            _byteCodes = new byte[codes.Length];
            for (int i = 0; i < codes.Length; i++) _byteCodes[i] = (byte)codes[i];
        }
        else
        {
            _shortCodes = codes.ToArray();
        }
    }

    /// <summary>Output channels.</summary>
    public int Rows { get; }

    /// <summary>Weights per output channel (the GEMM reduction size K).</summary>
    public int Length { get; }

    /// <summary>The float32 filters when the layer is held uncompressed; null when it is held as codes.</summary>
    public float[]? Dense => _dense;

    public int Centroids => _codebook.Length;

    /// <summary>Rows × Length codebook indices when the codebook has ≤ 256 entries, else null.</summary>
    public byte[]? ByteCodes => _byteCodes;

    /// <summary>The codebook the codes index (empty for float filters).</summary>
    public float[] Codebook => _codebook;

    /// <summary>The folded BatchNorm's per-row scale of quantized filters, or null.</summary>
    public float[]? Scale => _scale;

    public long Bytes => _dense is not null
        ? 4L * _dense.Length
        : (_byteCodes?.Length ?? 0) + 2L * (_shortCodes?.Length ?? 0) + 4L * (_codebook.Length + (_scale?.Length ?? 0));

    /// <summary>Resident bytes of a quantized filter bank, to compare with the sparse form at load.</summary>
    public static long QuantizedBytesFor(long elements, int codebookLength, int rows, bool scaled) =>
        elements * (codebookLength <= 256 ? 1 : 2) + 4L * codebookLength + (scaled ? 4L * rows : 0);

    /// <summary>
    /// Builds the held form of a weight tensor (already validated by <see cref="TensorReader"/>): quantized and sparse
    /// tensors stay codes (a pruned weight's zero becomes one more codebook entry), dense ones stay floats with the
    /// BatchNorm <paramref name="scale"/> folded in.
    /// </summary>
    public static ConvFilters Create(PocketTensor weight, int rows, int length, float[]? scale)
    {
        switch (weight)
        {
            case QuantizedDenseTensor q:
                return new ConvFilters(rows, length, (float[])q.Codebook.Clone(), q.Codes, scale);
            // Sparse filters are expanded straight into the held code width, with no intermediate copy, so Load allocates
            // exactly what the layer holds (GraphCompiler bounds that expansion before calling here).
            case SparseQuantizedTensor s when s.Codebook.Length <= byte.MaxValue:
            {
                var codes = new byte[(long)rows * length];
                Array.Fill(codes, (byte)s.Codebook.Length);
                for (int i = 0; i < s.Positions.Length; i++) codes[s.Positions[i]] = (byte)s.Codes[i];
                return new ConvFilters(rows, length, [.. s.Codebook, 0f], codes, null, scale);
            }
            case SparseQuantizedTensor s when s.Codebook.Length < ushort.MaxValue:
            {
                var codes = new ushort[(long)rows * length];
                Array.Fill(codes, (ushort)s.Codebook.Length);
                for (int i = 0; i < s.Positions.Length; i++) codes[s.Positions[i]] = s.Codes[i];
                return new ConvFilters(rows, length, [.. s.Codebook, 0f], null, codes, scale);
            }
            default:
            {
                float[] w = weight.ToDense();
                if (scale is not null)
                    for (int r = 0; r < rows; r++)
                    {
                        Span<float> row = w.AsSpan(r * length, length);
                        for (int i = 0; i < row.Length; i++) row[i] *= scale[r];
                    }
                return new ConvFilters(rows, length, w);
            }
        }
    }

    /// <summary>Writes rows [firstRow, firstRow + count) as floats into <paramref name="panel"/> (count × Length).</summary>
    public void Decode(int firstRow, int count, Span<float> panel)
    {
        int length = Length;
        if (_dense is not null)
        {
            _dense.AsSpan(firstRow * length, count * length).CopyTo(panel);
            return;
        }

        float[] codebook = _codebook;
        for (int r = 0; r < count; r++)
        {
            int row = firstRow + r;
            float scale = _scale is null ? 1f : _scale[row]; // × 1 is exact: unscaled rows decode to the centroid itself
            Span<float> dst = panel.Slice(r * length, length);
            if (_byteCodes is { } bytes)
            {
                ReadOnlySpan<byte> codes = bytes.AsSpan(row * length, length);
                for (int i = 0; i < dst.Length; i++) dst[i] = codebook[codes[i]] * scale;
            }
            else
            {
                ReadOnlySpan<ushort> codes = _shortCodes.AsSpan(row * length, length);
                for (int i = 0; i < dst.Length; i++) dst[i] = codebook[codes[i]] * scale;
            }
        }
    }

    public string Describe() => _dense is not null ? "" : $" codes({_codebook.Length} centroids)";
}
