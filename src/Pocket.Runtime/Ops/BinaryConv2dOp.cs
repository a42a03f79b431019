using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution with binarized filters W_f = α_f · B_f, B in {−1, +1} (SEP-Net pattern binarization), run on the
/// packed bits (1 bit per weight, 32× smaller than float) without a single weight multiply:
///   y_f = α_f · (Σ_{B=+1} x − Σ_{B=−1} x) + b_f = α_f · (2 · Σ_{B=+1} x − Σ_all x) + b_f.
/// Σ_all x (per output pixel) is shared by every filter of the group, so each filter only adds the im2col rows
/// whose bit is set — half the additions of the plain ±1 form, and no multiplications until the epilogue.
/// A following BatchNorm folds into α and b, so it keeps the bits packed too.
/// </summary>
internal sealed class BinaryConv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly byte[] _bits;     // outC · K bits, row-major, LSB first, 1 = +1 (as stored in the model)
    private readonly float[] _scales;  // α per output filter (BatchNorm scale folded in)
    private readonly float[] _bias;
    private readonly FusedActivation _activation;

    public BinaryConv2dOp(string name, in ConvGeometry geometry, byte[] bits, float[] scales, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        _g = geometry;
        _bits = bits;
        _scales = scales;
        _bias = bias;
        _activation = activation;
    }

    public override long WeightBytes => _bits.Length + 4L * (_scales.Length + _bias.Length);

    // im2col matrix (unless pointwise) followed by the per-pixel column sums.
    public override long ScratchLength(int batch) => (_g.IsPointwise ? 0 : (long)_g.FilterLength * _g.OutPlane) + _g.OutPlane;

    public override string Kernel => "binary-conv-addsub " + _g.Describe() + _activation.Suffix();

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
        int totalOffset = g.IsPointwise ? 0 : k * n;

        for (int b = 0; b < ws.Batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                int inOffset = b * inLength + group * g.InChannelsPerGroup * g.InPlane;
                float[] columns = input;
                int columnsOffset = inOffset;
                if (!g.IsPointwise)
                {
                    Im2Col.Unfold(input.AsSpan(inOffset, g.InChannelsPerGroup * g.InPlane), scratch.AsSpan(0, k * n), g);
                    columns = scratch;
                    columnsOffset = 0;
                }

                Span<float> total = scratch.AsSpan(totalOffset, n);
                total.Clear();
                for (int p = 0; p < k; p++) TensorPrimitives.Add(total, columns.AsSpan(columnsOffset + p * n, n), total);

                int outOffset = OutputStart(b) + group * rowsPerGroup * n;
                int firstFilter = group * rowsPerGroup;
                int minRows = Math.Max(1, (int)(65536L / Math.Max(1L, (long)k * n)));
                ParallelRange.For(rowsPerGroup, ws.Parallelism, minRows, (r0, r1) =>
                {
                    ReadOnlySpan<float> cols = columns.AsSpan(columnsOffset, k * n);
                    ReadOnlySpan<float> sums = scratch.AsSpan(totalOffset, n);
                    for (int r = r0; r < r1; r++)
                    {
                        int f = firstFilter + r;
                        Span<float> dst = output.AsSpan(outOffset + r * n, n);
                        Filter(cols, sums, dst, (long)f * k, k, n, _scales[f], _bias[f]);
                        _activation.ApplyInPlace(dst);
                    }
                });
            }
        }
    }

    /// <summary>One output channel: dst = α · (2 · Σ_{bit set} cols[p] − total) + bias.</summary>
    private void Filter(ReadOnlySpan<float> cols, ReadOnlySpan<float> total, Span<float> dst, long firstBit, int k, int n, float alpha, float bias)
    {
        int w = Vector<float>.Count;
        ref float colRef = ref MemoryMarshal.GetReference(cols);
        ref float dstRef = ref MemoryMarshal.GetReference(dst);
        ref float totalRef = ref MemoryMarshal.GetReference(total);
        byte[] bits = _bits;
        Vector<float> alpha2 = new(2f * alpha), alphaV = new(alpha), biasV = new(bias);
        int j = 0;
        // 4 vectors of pixels per pass over the filter's bits: the bit test is amortised over 4·w additions.
        for (; j + 4 * w <= n; j += 4 * w)
        {
            Vector<float> s0 = Vector<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            ref float col = ref Unsafe.Add(ref colRef, j);
            long bit = firstBit;
            for (int p = 0; p < k; p++, bit++)
            {
                if ((bits[bit >> 3] & (1 << (int)(bit & 7))) == 0) continue;
                ref float row = ref Unsafe.Add(ref col, (nint)p * n);
                s0 += Vector.LoadUnsafe(ref row);
                s1 += Vector.LoadUnsafe(ref row, (nuint)w);
                s2 += Vector.LoadUnsafe(ref row, (nuint)(2 * w));
                s3 += Vector.LoadUnsafe(ref row, (nuint)(3 * w));
            }
            ref float t = ref Unsafe.Add(ref totalRef, j);
            ref float d = ref Unsafe.Add(ref dstRef, j);
            (alpha2 * s0 - alphaV * Vector.LoadUnsafe(ref t) + biasV).StoreUnsafe(ref d);
            (alpha2 * s1 - alphaV * Vector.LoadUnsafe(ref t, (nuint)w) + biasV).StoreUnsafe(ref d, (nuint)w);
            (alpha2 * s2 - alphaV * Vector.LoadUnsafe(ref t, (nuint)(2 * w)) + biasV).StoreUnsafe(ref d, (nuint)(2 * w));
            (alpha2 * s3 - alphaV * Vector.LoadUnsafe(ref t, (nuint)(3 * w)) + biasV).StoreUnsafe(ref d, (nuint)(3 * w));
        }
        for (; j + w <= n; j += w)
        {
            Vector<float> s0 = Vector<float>.Zero;
            ref float col = ref Unsafe.Add(ref colRef, j);
            long bit = firstBit;
            for (int p = 0; p < k; p++, bit++)
            {
                if ((bits[bit >> 3] & (1 << (int)(bit & 7))) != 0) s0 += Vector.LoadUnsafe(ref Unsafe.Add(ref col, (nint)p * n));
            }
            (alpha2 * s0 - alphaV * Vector.LoadUnsafe(ref Unsafe.Add(ref totalRef, j)) + biasV).StoreUnsafe(ref Unsafe.Add(ref dstRef, j));
        }
        for (; j < n; j++)
        {
            float s = 0f;
            long bit = firstBit;
            for (int p = 0; p < k; p++, bit++)
            {
                if ((bits[bit >> 3] & (1 << (int)(bit & 7))) != 0) s += Unsafe.Add(ref colRef, (nint)p * n + j);
            }
            dst[j] = 2f * alpha * s - alpha * total[j] + bias;
        }
    }
}
