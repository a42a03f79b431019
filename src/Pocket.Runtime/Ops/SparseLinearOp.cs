using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Pruned + quantized fully connected layer run straight from compressed sparse rows (Han et al. 2015; EIE):
/// per output row, the non-zeros' column indices (ushort when in ≤ 65536) and codebook indices (a byte when the
/// codebook has ≤ 256 entries). Weights are looked up in the codebook while multiplying, never densified, so a
/// 92%-sparse 5-bit layer keeps ~3 bytes per non-zero (≈ 6% of dense float32) and fits in L2, which is why it
/// beats the dense layer even at batch 1.
/// Batch tiles of up to 8 samples are transposed to [in][8] so each non-zero costs one broadcast and one 8-lane
/// FMA for all samples: the index/codebook decode is paid once per tile instead of once per sample.
/// </summary>
internal sealed class SparseLinearOp : Layer
{
    /// <summary>Samples handled by one pass over the non-zeros.</summary>
    public const int TileSamples = 8;

    private readonly int[] _rowStart;   // out + 1 offsets into the non-zero arrays
    private readonly ushort[]? _shortColumns;
    private readonly int[]? _intColumns;
    private readonly byte[]? _byteCodes;
    private readonly ushort[]? _shortCodes;
    private readonly float[] _codebook;
    private readonly float[] _bias;
    private readonly int _in;
    private readonly FusedActivation _activation;

    public SparseLinearOp(string name, int outFeatures, int inFeatures, float[] codebook, int[] positions, ushort[] codes,
        float[] bias, FusedActivation activation)
        : base(name, new TensorShape(outFeatures, 1, 1))
    {
        _in = inFeatures;
        _codebook = codebook;
        _bias = bias;
        _activation = activation;

        // Positions are flat row-major and ascending, so the non-zeros are already in CSR order: only the row
        // pointers and the column-within-row need computing.
        _rowStart = new int[outFeatures + 1];
        foreach (int p in positions) _rowStart[p / inFeatures + 1]++;
        for (int r = 0; r < outFeatures; r++) _rowStart[r + 1] += _rowStart[r];

        if (inFeatures <= 65536)
        {
            _shortColumns = new ushort[positions.Length];
            for (int i = 0; i < positions.Length; i++) _shortColumns[i] = (ushort)(positions[i] % inFeatures);
        }
        else
        {
            _intColumns = new int[positions.Length];
            for (int i = 0; i < positions.Length; i++) _intColumns[i] = positions[i] % inFeatures;
        }

        if (codebook.Length <= 256)
        {
            _byteCodes = new byte[codes.Length];
            for (int i = 0; i < codes.Length; i++) _byteCodes[i] = (byte)codes[i];
        }
        else
        {
            _shortCodes = (ushort[])codes.Clone();
        }
    }

    public int NonZeros => _rowStart[^1];

    /// <summary>Resident bytes a CSR layer would take, to compare with the quantized-dense form at load.</summary>
    public static long BytesFor(long nonZeros, int outFeatures, int inFeatures, int codebookLength) =>
        nonZeros * ((inFeatures <= 65536 ? 2 : 4) + (codebookLength <= 256 ? 1 : 2)) + 4L * (outFeatures + 1) + 4L * codebookLength + 4L * outFeatures;

    public override long WeightBytes => BytesFor(NonZeros, OutputShape.Channels, _in, _codebook.Length);

    public override long ScratchLength(int batch) => batch > 1 ? (long)TileSamples * _in : 0;

    public override string Kernel =>
        $"linear-sparse-csr {_in}->{OutputShape.Channels} nnz={NonZeros} ({100.0 * NonZeros / ((long)_in * OutputShape.Channels):F1}%)" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        if (_shortColumns is { } sc)
        {
            if (_byteCodes is { } bc) Run(sc, bc, ws);
            else Run(sc, _shortCodes!, ws);
        }
        else
        {
            if (_byteCodes is { } bc) Run(_intColumns!, bc, ws);
            else Run(_intColumns!, _shortCodes!, ws);
        }
    }

    private void Run<TColumn, TCode>(TColumn[] columns, TCode[] codes, Workspace ws)
        where TColumn : unmanaged, IBinaryInteger<TColumn>
        where TCode : unmanaged, IBinaryInteger<TCode>
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        int outFeatures = OutputShape.Channels, inFeatures = _in, batch = ws.Batch;
        int minRows = Math.Max(1, 8192 / Math.Max(1, NonZeros / Math.Max(1, outFeatures)));

        if (batch == 1)
        {
            ParallelRange.For(outFeatures, ws.Parallelism, minRows, (r0, r1) =>
            {
                ReadOnlySpan<float> x = input.AsSpan(0, inFeatures);
                for (int o = r0; o < r1; o++)
                {
                    int start = _rowStart[o], count = _rowStart[o + 1] - start;
                    float dot = RowDot(columns.AsSpan(start, count), codes.AsSpan(start, count), _codebook, x);
                    output[o] = _activation.Apply(dot + _bias[o]);
                }
            });
            return;
        }

        float[] transposed = ws.Scratch;
        for (int tile = 0; tile < batch; tile += TileSamples)
        {
            int samples = Math.Min(TileSamples, batch - tile);
            Transpose(input.AsSpan(tile * inFeatures, samples * inFeatures), samples, inFeatures, transposed.AsSpan(0, TileSamples * inFeatures));
            int outOffset = tile * outFeatures;
            ParallelRange.For(outFeatures, ws.Parallelism, minRows, (r0, r1) =>
            {
                Span<float> lanes = stackalloc float[TileSamples];
                for (int o = r0; o < r1; o++)
                {
                    int start = _rowStart[o], count = _rowStart[o + 1] - start;
                    RowTile(columns.AsSpan(start, count), codes.AsSpan(start, count), _codebook, transposed, lanes);
                    for (int s = 0; s < samples; s++) output[outOffset + s * outFeatures + o] = _activation.Apply(lanes[s] + _bias[o]);
                }
            });
        }
    }

    /// <summary>Σ codebook[code_j] · x[col_j] over one row, four independent accumulators to hide FMA latency.
    /// Indices were range-checked at load, so the loads skip bounds checks.</summary>
    private static float RowDot<TColumn, TCode>(ReadOnlySpan<TColumn> columns, ReadOnlySpan<TCode> codes, float[] codebook, ReadOnlySpan<float> x)
        where TColumn : unmanaged, IBinaryInteger<TColumn>
        where TCode : unmanaged, IBinaryInteger<TCode>
    {
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float cbRef = ref MemoryMarshal.GetArrayDataReference(codebook);
        ref TColumn colRef = ref MemoryMarshal.GetReference(columns);
        ref TCode codeRef = ref MemoryMarshal.GetReference(codes);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int n = columns.Length, j = 0;
        for (; j + 4 <= n; j += 4)
        {
            s0 = MulAdd.Of(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j))), Unsafe.Add(ref xRef, int.CreateTruncating(Unsafe.Add(ref colRef, j))), s0);
            s1 = MulAdd.Of(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j + 1))), Unsafe.Add(ref xRef, int.CreateTruncating(Unsafe.Add(ref colRef, j + 1))), s1);
            s2 = MulAdd.Of(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j + 2))), Unsafe.Add(ref xRef, int.CreateTruncating(Unsafe.Add(ref colRef, j + 2))), s2);
            s3 = MulAdd.Of(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j + 3))), Unsafe.Add(ref xRef, int.CreateTruncating(Unsafe.Add(ref colRef, j + 3))), s3);
        }
        for (; j < n; j++)
            s0 = MulAdd.Of(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j))), Unsafe.Add(ref xRef, int.CreateTruncating(Unsafe.Add(ref colRef, j))), s0);
        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>lanes[s] = Σ codebook[code_j] · xT[col_j][s] for the 8 samples of a transposed tile.</summary>
    private static void RowTile<TColumn, TCode>(ReadOnlySpan<TColumn> columns, ReadOnlySpan<TCode> codes, float[] codebook, float[] transposed, Span<float> lanes)
        where TColumn : unmanaged, IBinaryInteger<TColumn>
        where TCode : unmanaged, IBinaryInteger<TCode>
    {
        ref float xRef = ref MemoryMarshal.GetArrayDataReference(transposed);
        ref float cbRef = ref MemoryMarshal.GetArrayDataReference(codebook);
        ref TColumn colRef = ref MemoryMarshal.GetReference(columns);
        ref TCode codeRef = ref MemoryMarshal.GetReference(codes);
        int n = columns.Length;
        if (MulAdd.Has256BitVectors)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (int j = 0; j < n; j++)
            {
                Vector256<float> w = Vector256.Create(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j))));
                acc = MulAdd.Of(w, Vector256.LoadUnsafe(ref xRef, (nuint)(int.CreateTruncating(Unsafe.Add(ref colRef, j)) * TileSamples)), acc);
            }
            acc.StoreUnsafe(ref MemoryMarshal.GetReference(lanes));
        }
        else
        {
            // 128-bit targets (ARM NEON): two half tiles, the same per-lane arithmetic.
            Vector128<float> lo = Vector128<float>.Zero, hi = lo;
            for (int j = 0; j < n; j++)
            {
                Vector128<float> w = Vector128.Create(Unsafe.Add(ref cbRef, int.CreateTruncating(Unsafe.Add(ref codeRef, j))));
                nuint at = (nuint)(int.CreateTruncating(Unsafe.Add(ref colRef, j)) * TileSamples);
                lo = MulAdd.Of(w, Vector128.LoadUnsafe(ref xRef, at), lo);
                hi = MulAdd.Of(w, Vector128.LoadUnsafe(ref xRef, at + 4), hi);
            }
            lo.StoreUnsafe(ref MemoryMarshal.GetReference(lanes));
            hi.StoreUnsafe(ref MemoryMarshal.GetReference(lanes), 4);
        }
    }

    /// <summary>[samples][in] → [in][8], zero-filling the lanes of absent samples.</summary>
    private static void Transpose(ReadOnlySpan<float> input, int samples, int inFeatures, Span<float> transposed)
    {
        if (samples < TileSamples) transposed.Clear();
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<float> x = input.Slice(s * inFeatures, inFeatures);
            for (int i = 0; i < x.Length; i++) transposed[i * TileSamples + s] = x[i];
        }
    }
}
