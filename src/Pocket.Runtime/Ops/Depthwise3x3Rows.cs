using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pocket.Runtime.Ops;

/// <summary>
/// A 3×3 depthwise plane with padding 1 at stride 1 or 2 (every depthwise layer of MobileNet), computed straight
/// from the input rows with 512-bit vectors: no bordered copy of the plane and no compaction of a padded stream,
/// which <see cref="PhasePlane"/> needs and which cost more than the arithmetic (MobileNet α 1.0's 112×112 stride-2
/// layer on Zen 5: fill 76, stream 44, compaction 18 µs of 157; ONNX Runtime's whole layer 88).
/// <para>How, as XNNPACK's f32-dwconv2d-chw 3x3p1 and 3x3s2p1 kernels: 16 outputs of a row at a time. At stride 1
/// the vector of input columns x0…x0+15 and its neighbours give the taps at x − 1 and x + 1 by lane shifts
/// (<c>valignd</c>) instead of two more unaligned loads. At stride 2 two vectors of input columns 2·x0…2·x0+31 are
/// split into even (tap x = 2·ox) and odd lanes (2·ox + 1), and the tap at 2·ox − 1 is the odd lanes shifted by one,
/// the previous vector's last lane entering. Columns past the row and rows past the plane are read as zeros
/// (masked loads; a zero row), the padding.</para>
/// <para>Each output is its bias plus the nine FMAs in (ky, kx) order, zeros of the padding included, exactly as
/// <see cref="WindowStream.MultiplyAdd"/> computes them over a zero-bordered plane, so results are bit-identical to
/// that path (and to ARM64's).</para>
/// </summary>
internal static unsafe class Depthwise3x3Rows
{
    private const int Wide = 16;

    /// <summary>Whether this kernel takes <paramref name="g"/>: 3×3, padding 1, stride 1 or 2 both ways, on AVX-512.</summary>
    public static bool Serves(in ConvGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && g.KernelH == 3 && g.KernelW == 3 && g.PadH == 1 && g.PadW == 1
        && g.StrideH == g.StrideW && g.StrideH is 1 or 2;

    /// <summary>output (outH × outW) = activation(bias + 3×3 window of <paramref name="plane"/> (h × w) · kernel).</summary>
    public static void Plane(ReadOnlySpan<float> plane, int h, int w, int stride, ReadOnlySpan<float> kernel, float bias,
        Span<float> output, int outH, int outW, FusedActivation activation)
    {
        if (plane.Length < h * w || kernel.Length < 9 || output.Length < outH * outW)
            throw new ArgumentException("depthwise buffers are smaller than the plane sizes");
        Vector512<float> lo = activation == FusedActivation.None ? Vector512.Create(float.NegativeInfinity) : Vector512<float>.Zero;
        Vector512<float> hi = Vector512.Create(activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);
        var taps = new Taps(kernel);
        fixed (float* input = plane)
        fixed (float* outRef = output)
        {
            // Two output rows per pass: two independent chains of nine dependent FMAs, and the input rows they share
            // loaded once. One row's chain alone left the FMA units waiting on its latency (4 vectors per row at 56).
            for (int oy = 0; oy < outH; oy += 2)
            {
                bool pair = oy + 1 < outH;
                float* d0 = outRef + (nint)oy * outW, d1 = pair ? d0 + outW : null;
                int y = oy * stride - 1; // the first window's first row
                if (stride == 1)
                    Rows1(Row(input, y, h, w), Row(input, y + 1, h, w), Row(input, y + 2, h, w), pair ? Row(input, y + 3, h, w) : null,
                        w, taps, bias, d0, d1, lo, hi);
                else
                    Rows2(Row(input, y, h, w), Row(input, y + 1, h, w), Row(input, y + 2, h, w),
                        pair ? Row(input, y + 3, h, w) : null, pair ? Row(input, y + 4, h, w) : null, w, taps, bias, d0, d1, outW, lo, hi);
            }
        }
    }

    /// <summary>Row y of the plane, or null (a zero row) outside it.</summary>
    private static float* Row(float* input, int y, int h, int w) => y >= 0 && y < h ? input + (nint)y * w : null;

    /// <summary>The nine weights, broadcast.</summary>
    private readonly struct Taps(ReadOnlySpan<float> k)
    {
        public readonly Vector512<float> K0 = Vector512.Create(k[0]), K1 = Vector512.Create(k[1]), K2 = Vector512.Create(k[2]);
        public readonly Vector512<float> K3 = Vector512.Create(k[3]), K4 = Vector512.Create(k[4]), K5 = Vector512.Create(k[5]);
        public readonly Vector512<float> K6 = Vector512.Create(k[6]), K7 = Vector512.Create(k[7]), K8 = Vector512.Create(k[8]);
    }

    /// <summary>Lanes [0, count) set (count clipped to 0…16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>Input columns [x, x + 16) of a row of <paramref name="w"/>, zeros past its end or for no row (padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* row, int x, int w)
    {
        if (row == null || x >= w) return Vector512<float>.Zero;
        return x + Wide <= w ? Vector512.Load(row + x) : Avx512F.MaskLoad(row + x, Mask(w - x), Vector512<float>.Zero);
    }

    /// <summary>[previous lane 15, v lanes 0…14]: v shifted up one lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ShiftIn(Vector512<float> v, Vector512<float> previous) =>
        Avx512F.AlignRight32(v.AsInt32(), previous.AsInt32(), 15).AsSingle();

    /// <summary>[v lanes 1…15, next lane 0]: v shifted down one lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ShiftOut(Vector512<float> v, Vector512<float> next) =>
        Avx512F.AlignRight32(next.AsInt32(), v.AsInt32(), 1).AsSingle();

    /// <summary>Output rows from input rows (r0, r1, r2) into d0 and, when d1 is not null, from (r1, r2, r3) into d1.</summary>
    private static void Rows1(float* r0, float* r1, float* r2, float* r3, int w, in Taps k, float bias, float* d0, float* d1,
        Vector512<float> lo, Vector512<float> hi)
    {
        Vector512<float> p0 = Vector512<float>.Zero, p1 = p0, p2 = p0, p3 = p0; // columns x0 − 16 … x0 − 1 of each row
        Vector512<float> c0 = Load(r0, 0, w), c1 = Load(r1, 0, w), c2 = Load(r2, 0, w), c3 = Load(r3, 0, w);
        Vector512<float> b = Vector512.Create(bias);
        for (int x0 = 0; x0 < w; x0 += Wide)
        {
            Vector512<float> n0 = Load(r0, x0 + Wide, w), n1 = Load(r1, x0 + Wide, w), n2 = Load(r2, x0 + Wide, w), n3 = Load(r3, x0 + Wide, w);
            Vector512<float> l1 = ShiftIn(c1, p1), l2 = ShiftIn(c2, p2), right1 = ShiftOut(c1, n1), right2 = ShiftOut(c2, n2);
            Vector512<float> a = b, z = b;
            a = Vector512.FusedMultiplyAdd(k.K0, ShiftIn(c0, p0), a);  z = Vector512.FusedMultiplyAdd(k.K0, l1, z);
            a = Vector512.FusedMultiplyAdd(k.K1, c0, a);               z = Vector512.FusedMultiplyAdd(k.K1, c1, z);
            a = Vector512.FusedMultiplyAdd(k.K2, ShiftOut(c0, n0), a); z = Vector512.FusedMultiplyAdd(k.K2, right1, z);
            a = Vector512.FusedMultiplyAdd(k.K3, l1, a);               z = Vector512.FusedMultiplyAdd(k.K3, l2, z);
            a = Vector512.FusedMultiplyAdd(k.K4, c1, a);               z = Vector512.FusedMultiplyAdd(k.K4, c2, z);
            a = Vector512.FusedMultiplyAdd(k.K5, right1, a);           z = Vector512.FusedMultiplyAdd(k.K5, right2, z);
            a = Vector512.FusedMultiplyAdd(k.K6, l2, a);               z = Vector512.FusedMultiplyAdd(k.K6, ShiftIn(c3, p3), z);
            a = Vector512.FusedMultiplyAdd(k.K7, c2, a);               z = Vector512.FusedMultiplyAdd(k.K7, c3, z);
            a = Vector512.FusedMultiplyAdd(k.K8, right2, a);           z = Vector512.FusedMultiplyAdd(k.K8, ShiftOut(c3, n3), z);
            Store(d0 + x0, Vector512.Min(Vector512.Max(a, lo), hi), w - x0);
            if (d1 != null) Store(d1 + x0, Vector512.Min(Vector512.Max(z, lo), hi), w - x0);
            p0 = c0; p1 = c1; p2 = c2; p3 = c3;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
    }

    /// <summary>Stride 2: output rows from input rows (r0, r1, r2) into d0 and, when d1 is not null, from (r2, r3, r4) into d1.</summary>
    private static void Rows2(float* r0, float* r1, float* r2, float* r3, float* r4, int w, in Taps k, float bias, float* d0, float* d1,
        int outW, Vector512<float> lo, Vector512<float> hi)
    {
        Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> odds = evens + Vector512<int>.One;
        Vector512<float> q0 = Vector512<float>.Zero, q1 = q0, q2 = q0, q3 = q0, q4 = q0; // the previous step's odd lanes
        Vector512<float> b = Vector512.Create(bias);
        for (int ox0 = 0; ox0 < outW; ox0 += Wide)
        {
            int x = 2 * ox0;
            Split(r0, x, w, evens, odds, out Vector512<float> e0, out Vector512<float> o0);
            Split(r1, x, w, evens, odds, out Vector512<float> e1, out Vector512<float> o1);
            Split(r2, x, w, evens, odds, out Vector512<float> e2, out Vector512<float> o2);
            Split(r3, x, w, evens, odds, out Vector512<float> e3, out Vector512<float> o3);
            Split(r4, x, w, evens, odds, out Vector512<float> e4, out Vector512<float> o4);
            Vector512<float> l2 = ShiftIn(o2, q2);
            Vector512<float> a = b, z = b;
            a = Vector512.FusedMultiplyAdd(k.K0, ShiftIn(o0, q0), a); z = Vector512.FusedMultiplyAdd(k.K0, l2, z);
            a = Vector512.FusedMultiplyAdd(k.K1, e0, a);              z = Vector512.FusedMultiplyAdd(k.K1, e2, z);
            a = Vector512.FusedMultiplyAdd(k.K2, o0, a);              z = Vector512.FusedMultiplyAdd(k.K2, o2, z);
            a = Vector512.FusedMultiplyAdd(k.K3, ShiftIn(o1, q1), a); z = Vector512.FusedMultiplyAdd(k.K3, ShiftIn(o3, q3), z);
            a = Vector512.FusedMultiplyAdd(k.K4, e1, a);              z = Vector512.FusedMultiplyAdd(k.K4, e3, z);
            a = Vector512.FusedMultiplyAdd(k.K5, o1, a);              z = Vector512.FusedMultiplyAdd(k.K5, o3, z);
            a = Vector512.FusedMultiplyAdd(k.K6, l2, a);              z = Vector512.FusedMultiplyAdd(k.K6, ShiftIn(o4, q4), z);
            a = Vector512.FusedMultiplyAdd(k.K7, e2, a);              z = Vector512.FusedMultiplyAdd(k.K7, e4, z);
            a = Vector512.FusedMultiplyAdd(k.K8, o2, a);              z = Vector512.FusedMultiplyAdd(k.K8, o4, z);
            Store(d0 + ox0, Vector512.Min(Vector512.Max(a, lo), hi), outW - ox0);
            if (d1 != null) Store(d1 + ox0, Vector512.Min(Vector512.Max(z, lo), hi), outW - ox0);
            q0 = o0; q1 = o1; q2 = o2; q3 = o3; q4 = o4;
        }
    }

    /// <summary>Columns x, x + 2, … (evens) and x + 1, x + 3, … (odds) of a row, 16 of each, zeros past its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(float* row, int x, int w, Vector512<int> evens, Vector512<int> odds,
        out Vector512<float> even, out Vector512<float> odd)
    {
        Vector512<float> a = Load(row, x, w), b = Load(row, x + Wide, w);
        even = Avx512F.PermuteVar16x32x2(a, evens, b);
        odd = Avx512F.PermuteVar16x32x2(a, odds, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* d, Vector512<float> v, int count)
    {
        if (count >= Wide) v.Store(d);
        else Avx512F.MaskStore(d, Mask(count), v);
    }
}
