using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pocket.Format;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution with pruned + quantized filters run straight from compressed sparse rows (Han et al. 2015), like
/// <see cref="SparseLinearOp"/>: per output channel, the kept weights' positions along the reduction axis
/// (inC/groups · kH · kW, as ushort) and their codebook indices (a byte each). Each output row is
///   out[oc, pixels] = bias[oc] + Σ over kept p of (codebook[code_p] · scale[oc]) · im2col[p, pixels],
/// one broadcast weight times a contiguous run of pixels per non-zero: pruned weights cost neither memory
/// (3 bytes per kept weight) nor multiply-adds, so LeNet-5's conv2 (12 % kept) does 8× fewer than dense.
/// <para>Stride-1 layers read the im2col values straight from the (zero-bordered) input
/// (<see cref="DirectConvLayout"/>): the stored ushort per non-zero is then the tap's input offset instead of p.
/// Other layers unfold each sample and group with <see cref="Im2Col"/> first.</para>
/// <para>Pixels are processed in blocks of 8, 4 and 1 vectors whose accumulators stay in registers for the whole
/// row. Every output element is one multiply-add chain over the kept p in ascending order starting from its bias —
/// the dense GEMM's chain minus terms that are exactly zero — so results are bit-identical to the dense kernel
/// on the densified weights and independent of thread count. The scale is a folded BatchNorm (1 otherwise, exact).</para>
/// </summary>
internal sealed class SparseConv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly int[] _rowStart;     // outC + 1 offsets into the non-zero arrays
    private readonly ushort[] _columns;   // per non-zero: its tap's input offset (direct layout), else p in 0..K−1
    private readonly DirectConvLayout? _direct;
    private readonly byte[] _codes;
    private readonly float[] _codebook;
    private readonly float[]? _scale;     // per output channel, only with a folded BatchNorm
    private readonly float[] _bias;
    private readonly FusedActivation _activation;

    public SparseConv2dOp(string name, in ConvGeometry geometry, SparseQuantizedTensor weight, float[]? scale, float[] bias,
        FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        if (!Supports(geometry, weight.Codebook.Length))
            throw new ArgumentException($"{name}: K={geometry.FilterLength} or {weight.Codebook.Length} centroids too large for the sparse conv kernel");
        _g = geometry;
        _codebook = (float[])weight.Codebook.Clone();
        _scale = scale;
        _bias = bias;
        _activation = activation;

        // Positions are flat over [outC][K] and ascending (validated at load): already CSR order.
        int k = geometry.FilterLength;
        if (DirectConvLayout.Applies(geometry))
        {
            var layout = new DirectConvLayout(geometry);
            if (layout.PaddedLength <= ushort.MaxValue + 1) _direct = layout;
        }
        int[] positions = weight.Positions;
        _rowStart = new int[geometry.OutChannels + 1];
        foreach (int p in positions) _rowStart[p / k + 1]++;
        for (int r = 0; r < geometry.OutChannels; r++) _rowStart[r + 1] += _rowStart[r];
        _columns = new ushort[positions.Length];
        _codes = new byte[positions.Length];
        for (int i = 0; i < positions.Length; i++)
        {
            _columns[i] = (ushort)(_direct is { } d ? d.TapOffset(positions[i] % k) : positions[i] % k);
            _codes[i] = (byte)weight.Codes[i];
        }
    }

    /// <summary>Whether the CSR form fits its index types: ushort positions, byte codes.</summary>
    public static bool Supports(in ConvGeometry g, int codebookLength) => g.FilterLength <= 65536 && codebookLength <= 256;

    /// <summary>Resident bytes of the CSR form, to compare with the quantized-dense form at load.</summary>
    public static long BytesFor(long nonZeros, int outChannels, int codebookLength, bool scaled) =>
        nonZeros * (sizeof(ushort) + sizeof(byte)) + 4L * (outChannels + 1) + 4L * codebookLength + (scaled ? 4L * outChannels : 0);

    public int NonZeros => _rowStart[^1];

    public override long WeightBytes =>
        BytesFor(NonZeros, _g.OutChannels, _codebook.Length, _scale is not null) + 4L * _bias.Length + (_direct?.Bytes ?? 0);

    public override long ScratchLength(int batch) =>
        _direct is { } d ? (d.IsPadded ? d.PaddedLength : 0) : _g.IsPointwise ? 0 : (long)_g.FilterLength * _g.OutPlane;

    public override string Kernel =>
        $"conv-sparse-csr{(_direct is null ? "" : "-direct")} {_g.Describe()} nnz={NonZeros} ({100.0 * NonZeros / ((long)_g.OutChannels * _g.FilterLength):F1}%)" + _activation.Suffix();

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        float[] scratch = ws.Scratch;
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane, outLength = OutputShape.Length;
        int k = g.FilterLength, n = g.OutPlane, rowsPerGroup = g.OutChannelsPerGroup;
        long averageRowWork = Math.Max(1L, (long)NonZeros / Math.Max(1, g.OutChannels) * n);
        int minRows = (int)Math.Max(4L, 65536L / averageRowWork);

        for (int b = 0; b < ws.Batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                int inOffset = b * inLength + group * g.InChannelsPerGroup * g.InPlane;
                int outOffset = b * outLength + group * rowsPerGroup * n;
                int firstFilter = group * rowsPerGroup;
                if (_direct is { } direct)
                {
                    float[] source = input;
                    int sourceOffset = inOffset, sourceLength = g.InChannelsPerGroup * g.InPlane;
                    if (direct.IsPadded)
                    {
                        direct.Pad(input.AsSpan(inOffset, sourceLength), scratch);
                        (source, sourceOffset, sourceLength) = (scratch, 0, direct.PaddedLength);
                    }
                    ParallelRange.For(rowsPerGroup, ws.Parallelism, minRows, (r0, r1) =>
                    {
                        ReadOnlySpan<float> src = source.AsSpan(sourceOffset, sourceLength);
                        for (int r = r0; r < r1; r++)
                        {
                            Span<float> dst = output.AsSpan(outOffset + r * n, n);
                            RowDirect(firstFilter + r, src, dst, direct);
                            _activation.ApplyInPlace(dst);
                        }
                    });
                    continue;
                }

                float[] columns = input;
                int columnsOffset = inOffset;
                if (!g.IsPointwise)
                {
                    Im2Col.Unfold(input.AsSpan(inOffset, g.InChannelsPerGroup * g.InPlane), scratch.AsSpan(0, k * n), g);
                    columns = scratch;
                    columnsOffset = 0;
                }

                ParallelRange.For(rowsPerGroup, ws.Parallelism, minRows, (r0, r1) =>
                {
                    ReadOnlySpan<float> cols = columns.AsSpan(columnsOffset, k * n);
                    for (int r = r0; r < r1; r++)
                    {
                        Span<float> dst = output.AsSpan(outOffset + r * n, n);
                        Row(firstFilter + r, cols, dst);
                        _activation.ApplyInPlace(dst);
                    }
                });
            }
        }
    }

    /// <summary>dst = bias + Σ w_p · columns[p, :] over the kept p of filter <paramref name="filter"/>. Indices were
    /// range-checked at load (p &lt; K, code &lt; codebook length), so the loads skip bounds checks.</summary>
    private void Row(int filter, ReadOnlySpan<float> columns, Span<float> dst)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        float scale = _scale is null ? 1f : _scale[filter];
        float bias = _bias[filter];
        int n = dst.Length, w = Vector<float>.Count;
        ref float cols = ref MemoryMarshal.GetReference(columns);
        ref float outRef = ref MemoryMarshal.GetReference(dst);
        ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref byte codeRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), start);
        ref float cb = ref MemoryMarshal.GetArrayDataReference(_codebook);

        int j = 0;
        for (; j + 8 * w <= n; j += 8 * w) Block8(ref colRef, ref codeRef, ref cb, scale, count, ref cols, n, j, bias, ref outRef);
        for (; j + 4 * w <= n; j += 4 * w) Block4(ref colRef, ref codeRef, ref cb, scale, count, ref cols, n, j, bias, ref outRef);
        for (; j + w <= n; j += w)
        {
            Vector<float> s = new(bias);
            for (int t = 0; t < count; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
                s = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n + j)), s);
            }
            s.StoreUnsafe(ref outRef, (nuint)j);
        }
        for (; j < n; j++)
        {
            float s = bias;
            for (int t = 0; t < count; t++)
                s = MulAdd.Of(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale, Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n + j), s);
            Unsafe.Add(ref outRef, j) = s;
        }
    }

    /// <summary>dst = bias + Σ w_p · input[tap_p + pixel] over the kept p, output vectors in blocks of 8, 4 and 1.
    /// Every read stays inside the (padded) input: pixel (oy, ox + lane) of tap (c, ky, kx) is row oy + ky &lt; Hp,
    /// column ox + lane + kx &lt; Wp.</summary>
    private void RowDirect(int filter, ReadOnlySpan<float> input, Span<float> dst, DirectConvLayout layout)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        float scale = _scale is null ? 1f : _scale[filter];
        var bias = new Vector<float>(_bias[filter]);
        ref float src = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(dst);
        ref ushort tapRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref byte codeRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), start);
        ref float cb = ref MemoryMarshal.GetArrayDataReference(_codebook);
        int[] vin = layout.VectorInput, vout = layout.VectorOutput;

        int v = 0;
        for (; v + 8 <= vin.Length; v += 8)
        {
            nint d0 = vin[v], d1 = vin[v + 1], d2 = vin[v + 2], d3 = vin[v + 3], d4 = vin[v + 4], d5 = vin[v + 5], d6 = vin[v + 6], d7 = vin[v + 7];
            Vector<float> s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias, s7 = bias;
            for (int t = 0; t < count; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
                ref float tap = ref Unsafe.Add(ref src, Unsafe.Add(ref tapRef, t));
                s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d0)), s0);
                s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d1)), s1);
                s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d2)), s2);
                s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d3)), s3);
                s4 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d4)), s4);
                s5 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d5)), s5);
                s6 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d6)), s6);
                s7 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d7)), s7);
            }
            s0.StoreUnsafe(ref outRef, (nuint)vout[v]); s1.StoreUnsafe(ref outRef, (nuint)vout[v + 1]);
            s2.StoreUnsafe(ref outRef, (nuint)vout[v + 2]); s3.StoreUnsafe(ref outRef, (nuint)vout[v + 3]);
            s4.StoreUnsafe(ref outRef, (nuint)vout[v + 4]); s5.StoreUnsafe(ref outRef, (nuint)vout[v + 5]);
            s6.StoreUnsafe(ref outRef, (nuint)vout[v + 6]); s7.StoreUnsafe(ref outRef, (nuint)vout[v + 7]);
        }
        for (; v + 4 <= vin.Length; v += 4)
        {
            nint d0 = vin[v], d1 = vin[v + 1], d2 = vin[v + 2], d3 = vin[v + 3];
            Vector<float> s0 = bias, s1 = bias, s2 = bias, s3 = bias;
            for (int t = 0; t < count; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
                ref float tap = ref Unsafe.Add(ref src, Unsafe.Add(ref tapRef, t));
                s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d0)), s0);
                s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d1)), s1);
                s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d2)), s2);
                s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref tap, d3)), s3);
            }
            s0.StoreUnsafe(ref outRef, (nuint)vout[v]); s1.StoreUnsafe(ref outRef, (nuint)vout[v + 1]);
            s2.StoreUnsafe(ref outRef, (nuint)vout[v + 2]); s3.StoreUnsafe(ref outRef, (nuint)vout[v + 3]);
        }
        for (; v < vin.Length; v++)
        {
            nint d0 = vin[v];
            Vector<float> s0 = bias;
            for (int t = 0; t < count; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
                s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref Unsafe.Add(ref src, Unsafe.Add(ref tapRef, t)), d0)), s0);
            }
            s0.StoreUnsafe(ref outRef, (nuint)vout[v]);
        }
    }

    /// <summary>8 vectors of output pixels held in registers across the row's non-zeros: each decoded weight feeds 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(ref ushort colRef, ref byte codeRef, ref float cb, float scale, int count,
        ref float cols, int n, int j, float bias, ref float outRef)
    {
        nuint w = (nuint)Vector<float>.Count;
        Vector<float> s0 = new(bias), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
            ref float src = ref Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n + j);
            s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref src), s0);
            s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, w), s1);
            s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 2 * w), s2);
            s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 3 * w), s3);
            s4 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 4 * w), s4);
            s5 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 5 * w), s5);
            s6 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 6 * w), s6);
            s7 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 7 * w), s7);
        }
        ref float d = ref Unsafe.Add(ref outRef, j);
        s0.StoreUnsafe(ref d); s1.StoreUnsafe(ref d, w); s2.StoreUnsafe(ref d, 2 * w); s3.StoreUnsafe(ref d, 3 * w);
        s4.StoreUnsafe(ref d, 4 * w); s5.StoreUnsafe(ref d, 5 * w); s6.StoreUnsafe(ref d, 6 * w); s7.StoreUnsafe(ref d, 7 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(ref ushort colRef, ref byte codeRef, ref float cb, float scale, int count,
        ref float cols, int n, int j, float bias, ref float outRef)
    {
        nuint w = (nuint)Vector<float>.Count;
        Vector<float> s0 = new(bias), s1 = s0, s2 = s0, s3 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector<float> x = new(Unsafe.Add(ref cb, Unsafe.Add(ref codeRef, t)) * scale);
            ref float src = ref Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n + j);
            s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref src), s0);
            s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, w), s1);
            s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 2 * w), s2);
            s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 3 * w), s3);
        }
        ref float d = ref Unsafe.Add(ref outRef, j);
        s0.StoreUnsafe(ref d); s1.StoreUnsafe(ref d, w); s2.StoreUnsafe(ref d, 2 * w); s3.StoreUnsafe(ref d, 3 * w);
    }
}
