using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pocket.Format;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution with pruned + quantized filters run straight from compressed sparse rows (Han et al. 2015), like
/// <see cref="SparseLinearOp"/>: per output channel, the kept weights' positions along the reduction axis
/// (inC/groups · kH · kW, as ushort) and their values, decoded once at load (codebook[code] · scale[oc] as float32:
/// 6 bytes per kept weight, so the layer is chosen only where that is no more than the 1 byte per weight of the
/// quantized-dense form, i.e. ≲ 1/6 kept). Each output row is
///   out[oc, pixels] = bias[oc] + Σ over kept p of w_p · im2col[p, pixels],
/// one broadcast weight times a contiguous run of pixels per non-zero: pruned weights cost no multiply-adds.
/// <para>Stride-1 layers with a kernel read the im2col values straight from the (zero-bordered) input
/// (<see cref="DirectConvLayout"/>): the stored ushort per non-zero is then the tap's input offset instead of p.
/// Pointwise layers read their input as the matrix; others unfold each sample and group with <see cref="Im2Col"/>.</para>
/// <para>The matrix paths are XNNPACK's sparse 1×1 kernel (Elsen et al. 2020, "Fast Sparse ConvNets"): a block of
/// 8 vectors of pixels is the outer loop and every output channel of the thread's range is computed on it in turn,
/// its accumulators in registers over the channel's non-zeros and the fused ReLU/ReLU6 applied while the block is in
/// L1, so the block's K input rows stay in L1 across all output channels instead of the whole plane being streamed
/// once per channel. Every output element is one multiply-add chain over the kept p in ascending order starting from
/// its bias — the dense GEMM's chain minus terms that are exactly zero — so results are bit-identical to the dense
/// kernel on the densified weights and independent of thread count; a row's last partial vector is recomputed
/// overlapping the previous one with the same arithmetic.</para>
/// </summary>
internal sealed class SparseConv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly int[] _rowStart;     // outC + 1 offsets into the non-zero arrays
    private readonly ushort[] _columns;   // per non-zero: its tap's input offset (direct layout), else p in 0..K−1
    private readonly DirectConvLayout? _direct;
    private readonly float[] _values;     // per non-zero: codebook[code] · scale[oc]
    private readonly float[] _bias;
    private readonly FusedActivation _activation;

    public SparseConv2dOp(string name, in ConvGeometry geometry, SparseQuantizedTensor weight, float[]? scale, float[] bias,
        FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        if (!Supports(geometry))
            throw new ArgumentException($"{name}: K={geometry.FilterLength} too large for the sparse conv kernel");
        _g = geometry;
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
        _values = new float[positions.Length];
        float[] codebook = weight.Codebook;
        for (int i = 0; i < positions.Length; i++)
        {
            _columns[i] = (ushort)(_direct is { } d ? d.TapOffset(positions[i] % k) : positions[i] % k);
            // × 1 is exact: unscaled filters hold the centroid itself, the value the densified weight has.
            _values[i] = codebook[weight.Codes[i]] * (scale is null ? 1f : scale[positions[i] / k]);
        }
    }

    /// <summary>Whether the CSR form fits its index type: ushort positions.</summary>
    public static bool Supports(in ConvGeometry g) => g.FilterLength <= 65536;

    /// <summary>Resident bytes of the CSR form, to compare with the quantized-dense form at load.</summary>
    public static long BytesFor(long nonZeros, int outChannels) =>
        nonZeros * (sizeof(ushort) + sizeof(float)) + 4L * (outChannels + 1);

    public int NonZeros => _rowStart[^1];

    public override long WeightBytes => BytesFor(NonZeros, _g.OutChannels) + 4L * _bias.Length + (_direct?.Bytes ?? 0);

    public override long ScratchLength(int batch) =>
        _direct is { } d ? (d.IsPadded ? d.PaddedLength : 0) : _g.IsPointwise ? 0 : (long)_g.FilterLength * _g.OutPlane;

    public override string Kernel =>
        $"conv-sparse-csr{(_direct is null ? "" : "-direct")} {_g.Describe()} nnz={NonZeros} ({100.0 * NonZeros / ((long)_g.OutChannels * _g.FilterLength):F1}%)" + _activation.Suffix();

    /// <summary>Every output row is addressed from <see cref="Layer.OutputStart"/>, so the compiler may point this layer
    /// at a channel slice of a concat.</summary>
    public override bool WritesIntoSlices => true;

    public override void Forward(Workspace ws)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        float[] scratch = ws.Scratch;
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane;
        int k = g.FilterLength, n = g.OutPlane, rowsPerGroup = g.OutChannelsPerGroup;
        long averageRowWork = Math.Max(1L, (long)NonZeros / Math.Max(1, g.OutChannels) * n);
        int minRows = (int)Math.Max(4L, 65536L / averageRowWork);

        for (int b = 0; b < ws.Batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                int inOffset = b * inLength + group * g.InChannelsPerGroup * g.InPlane;
                int outOffset = OutputStart(b) + group * rowsPerGroup * n;
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
                    Rows(firstFilter + r0, firstFilter + r1, columns.AsSpan(columnsOffset, k * n),
                        output.AsSpan(outOffset + r0 * n, (r1 - r0) * n)));
            }
        }
    }

    /// <summary>Output channels [filter0, filter1) over a K × n matrix into <paramref name="dst"/> (their rows, n
    /// apart): pixel blocks outer, channels inner. Indices were range-checked at load (p &lt; K), so the loads skip
    /// bounds checks.</summary>
    private void Rows(int filter0, int filter1, ReadOnlySpan<float> columns, Span<float> dst)
    {
        int n = columns.Length / _g.FilterLength, w = Vector<float>.Count;
        if (SparseRows512.Serves(n))
        {
            SparseRows512.Rows(filter0, filter1, columns, n, dst, _rowStart, _columns, _values, _bias, _activation);
            return;
        }
        ref float cols = ref MemoryMarshal.GetReference(columns);
        ref float outRef = ref MemoryMarshal.GetReference(dst);
        int j = 0;
        for (; j + 8 * w <= n; j += 8 * w)
            for (int f = filter0; f < filter1; f++) Block8(f, ref cols, n, j, ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n + j));
        if (j == n) return;
        if (n >= w)
        {
            // The rest (< 8 vectors: all of a 7×7 plane) in one pass over each channel's non-zeros, as SparseRows512
            // does: up to 8 vectors at w-pixel steps, the last overlapping the one before (the same chain again, so the
            // same values), duplicates padding the count to 4 or 8. One vector per pass waits on every FMA's latency.
            int vectors = (n - j + w - 1) / w;
            Span<int> at = stackalloc int[8];
            for (int v = 0; v < 8; v++) at[v] = Math.Min(j + Math.Min(v, vectors - 1) * w, n - w);
            for (int f = filter0; f < filter1; f++)
            {
                ref float d = ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n);
                if (vectors > 4) BlockAt8(f, ref cols, n, at, ref d);
                else if (vectors > 1) BlockAt4(f, ref cols, n, at, ref d);
                else Block1(f, ref cols, n, at[0], ref Unsafe.Add(ref d, at[0]));
            }
            return;
        }
        for (int f = filter0; f < filter1; f++)
        {
            int start = _rowStart[f], count = _rowStart[f + 1] - start;
            ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
            ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
            for (int x = j; x < n; x++)
            {
                float s = _bias[f];
                for (int t = 0; t < count; t++)
                    s = MulAdd.Of(Unsafe.Add(ref valRef, t), Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n + x), s);
                Unsafe.Add(ref outRef, (nint)(f - filter0) * n + x) = _activation.Apply(s);
            }
        }
    }

    /// <summary>dst = bias + Σ w_p · input[tap_p + pixel] over the kept p, output vectors in blocks of 8, 4 and 1.
    /// Every read stays inside the (padded) input: pixel (oy, ox + lane) of tap (c, ky, kx) is row oy + ky &lt; Hp,
    /// column ox + lane + kx &lt; Wp.</summary>
    private void RowDirect(int filter, ReadOnlySpan<float> input, Span<float> dst, DirectConvLayout layout)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        var bias = new Vector<float>(_bias[filter]);
        ref float src = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(dst);
        ref ushort tapRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
        int[] vin = layout.VectorInput, vout = layout.VectorOutput;

        int v = 0;
        for (; v + 8 <= vin.Length; v += 8)
        {
            nint d0 = vin[v], d1 = vin[v + 1], d2 = vin[v + 2], d3 = vin[v + 3], d4 = vin[v + 4], d5 = vin[v + 5], d6 = vin[v + 6], d7 = vin[v + 7];
            Vector<float> s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias, s7 = bias;
            for (int t = 0; t < count; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref valRef, t));
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
                Vector<float> x = new(Unsafe.Add(ref valRef, t));
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
                Vector<float> x = new(Unsafe.Add(ref valRef, t));
                s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref Unsafe.Add(ref src, Unsafe.Add(ref tapRef, t)), d0)), s0);
            }
            s0.StoreUnsafe(ref outRef, (nuint)vout[v]);
        }
    }

    /// <summary>8 vectors of output pixels of one channel held in registers across its non-zeros: each weight feeds
    /// 8 FMAs; the activation is applied to the accumulators before the store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Block8(int filter, ref float cols, int n, int j, ref float d)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
        ref float block = ref Unsafe.Add(ref cols, j);
        nuint w = (nuint)Vector<float>.Count;
        Vector<float> s0 = new(_bias[filter]), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector<float> x = new(Unsafe.Add(ref valRef, t));
            ref float src = ref Unsafe.Add(ref block, (nint)Unsafe.Add(ref colRef, t) * n);
            s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref src), s0);
            s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, w), s1);
            s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 2 * w), s2);
            s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 3 * w), s3);
            s4 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 4 * w), s4);
            s5 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 5 * w), s5);
            s6 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 6 * w), s6);
            s7 = MulAdd.Of(x, Vector.LoadUnsafe(ref src, 7 * w), s7);
        }
        Store(s0, ref d); Store(s1, ref Unsafe.Add(ref d, w)); Store(s2, ref Unsafe.Add(ref d, 2 * w)); Store(s3, ref Unsafe.Add(ref d, 3 * w));
        Store(s4, ref Unsafe.Add(ref d, 4 * w)); Store(s5, ref Unsafe.Add(ref d, 5 * w)); Store(s6, ref Unsafe.Add(ref d, 6 * w)); Store(s7, ref Unsafe.Add(ref d, 7 * w));
    }

    /// <summary>8 vectors at the given pixel offsets of one channel's row (<paramref name="d"/> is the row), in registers
    /// across its non-zeros.</summary>
    private void BlockAt8(int filter, ref float cols, int n, ReadOnlySpan<int> at, ref float d)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
        nint a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3], a4 = at[4], a5 = at[5], a6 = at[6], a7 = at[7];
        Vector<float> s0 = new(_bias[filter]), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector<float> x = new(Unsafe.Add(ref valRef, t));
            ref float src = ref Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n);
            s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a0)), s0);
            s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a1)), s1);
            s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a2)), s2);
            s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a3)), s3);
            s4 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a4)), s4);
            s5 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a5)), s5);
            s6 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a6)), s6);
            s7 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a7)), s7);
        }
        Store(s0, ref Unsafe.Add(ref d, a0)); Store(s1, ref Unsafe.Add(ref d, a1)); Store(s2, ref Unsafe.Add(ref d, a2)); Store(s3, ref Unsafe.Add(ref d, a3));
        Store(s4, ref Unsafe.Add(ref d, a4)); Store(s5, ref Unsafe.Add(ref d, a5)); Store(s6, ref Unsafe.Add(ref d, a6)); Store(s7, ref Unsafe.Add(ref d, a7));
    }

    /// <summary>4 vectors at the first 4 offsets of <paramref name="at"/>, as <see cref="BlockAt8"/>.</summary>
    private void BlockAt4(int filter, ref float cols, int n, ReadOnlySpan<int> at, ref float d)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
        nint a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3];
        Vector<float> s0 = new(_bias[filter]), s1 = s0, s2 = s0, s3 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector<float> x = new(Unsafe.Add(ref valRef, t));
            ref float src = ref Unsafe.Add(ref cols, (nint)Unsafe.Add(ref colRef, t) * n);
            s0 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a0)), s0);
            s1 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a1)), s1);
            s2 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a2)), s2);
            s3 = MulAdd.Of(x, Vector.LoadUnsafe(ref Unsafe.Add(ref src, a3)), s3);
        }
        Store(s0, ref Unsafe.Add(ref d, a0)); Store(s1, ref Unsafe.Add(ref d, a1)); Store(s2, ref Unsafe.Add(ref d, a2)); Store(s3, ref Unsafe.Add(ref d, a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Block1(int filter, ref float cols, int n, int j, ref float d)
    {
        int start = _rowStart[filter], count = _rowStart[filter + 1] - start;
        ref ushort colRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_columns), start);
        ref float valRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), start);
        ref float block = ref Unsafe.Add(ref cols, j);
        Vector<float> s0 = new(_bias[filter]);
        for (int t = 0; t < count; t++)
            s0 = MulAdd.Of(new Vector<float>(Unsafe.Add(ref valRef, t)), Vector.LoadUnsafe(ref Unsafe.Add(ref block, (nint)Unsafe.Add(ref colRef, t) * n)), s0);
        Store(s0, ref d);
    }

    /// <summary>Stores one vector of a channel's outputs after the fused ReLU/ReLU6: max then min, NaN-propagating
    /// like <see cref="FusedActivationExtensions.ApplyInPlace"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(Vector<float> s, ref float d)
    {
        if (_activation != FusedActivation.None)
        {
            s = Vector.Max(s, Vector<float>.Zero);
            if (_activation == FusedActivation.Relu6) s = Vector.Min(s, new Vector<float>(6f));
        }
        s.StoreUnsafe(ref d);
    }
}
