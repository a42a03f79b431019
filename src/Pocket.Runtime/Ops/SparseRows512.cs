using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// <see cref="SparseConv2dOp"/>'s matrix kernel (out[f, pixels] = bias[f] + Σ over f's non-zeros of value · B[column,
/// pixels]) with 512-bit vectors, for CPUs where <see cref="PackedGemm.IsSupported"/> (there
/// <see cref="System.Numerics.Vector{T}"/> stays 256-bit, so the portable kernel fills half of each FMA): blocks of 8
/// vectors of 16 pixels outer, the channels of the range inner, then the remaining pixels as up to 8 vectors at once
/// (the last overlapping the previous one). Each lane is the same FMA chain as the portable kernel's, so results are bit-identical to it.
/// </summary>
internal static class SparseRows512
{
    private const int Wide = 16;

    /// <summary>Whether this kernel serves a matrix of <paramref name="n"/> columns on this CPU (at least one vector).</summary>
    public static bool Serves(int n) => PackedGemm.IsSupported && n >= Wide;

    /// <summary>Channels [filter0, filter1) into <paramref name="dst"/> (their rows, n apart); indices were range-checked at load.</summary>
    public static void Rows(int filter0, int filter1, ReadOnlySpan<float> b, int n, Span<float> dst,
        int[] rowStart, ushort[] columns, float[] values, float[] bias, FusedActivation activation)
    {
        var csr = new Csr(rowStart, columns, values, bias, activation);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float outRef = ref MemoryMarshal.GetReference(dst);
        int j = 0;
        for (; j + 8 * Wide <= n; j += 8 * Wide)
            for (int f = filter0; f < filter1; f++) Block8(csr, f, ref Unsafe.Add(ref bRef, j), n, ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n + j));
        if (j == n) return;
        // The rest (< 128 pixels: all of a 7×7 plane, 68 of 14×14) in one pass over each channel's non-zeros: up to 8
        // vectors at 16-pixel steps, the last overlapping the one before (recomputed identically), duplicates padding the
        // count to 4 or 8. One vector per chain would wait on each FMA's latency (49 pixels: 4 such passes, measured
        // 0.82 ms for MobileNet's 1024×1024 layer at 15 % kept); independent vectors hide it.
        int vectors = (n - j + Wide - 1) / Wide;
        Span<int> at = stackalloc int[8];
        for (int v = 0; v < 8; v++) at[v] = Math.Min(j + Math.Min(v, vectors - 1) * Wide, n - Wide);
        for (int f = filter0; f < filter1; f++)
        {
            ref float d = ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n);
            if (vectors > 4) BlockAt8(csr, f, ref bRef, n, at, ref d);
            else BlockAt4(csr, f, ref bRef, n, at, ref d);
        }
    }

    /// <summary>8 vectors at the given pixel offsets of one channel's row, in registers across its non-zeros.</summary>
    private static void BlockAt8(in Csr csr, int f, ref float b, int n, ReadOnlySpan<int> at, ref float d)
    {
        int start = csr.RowStart[f], count = csr.RowStart[f + 1] - start;
        ref ushort col = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Columns), start);
        ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Values), start);
        nint a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3], a4 = at[4], a5 = at[5], a6 = at[6], a7 = at[7];
        Vector512<float> s0 = Vector512.Create(csr.Bias[f]), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref val, t));
            ref float src = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref col, t) * n);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a0)), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a1)), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a2)), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a3)), s3);
            s4 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a4)), s4);
            s5 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a5)), s5);
            s6 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a6)), s6);
            s7 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a7)), s7);
        }
        FusedActivation a = csr.Activation;
        Store(s0, a, ref d, (nuint)a0); Store(s1, a, ref d, (nuint)a1); Store(s2, a, ref d, (nuint)a2); Store(s3, a, ref d, (nuint)a3);
        Store(s4, a, ref d, (nuint)a4); Store(s5, a, ref d, (nuint)a5); Store(s6, a, ref d, (nuint)a6); Store(s7, a, ref d, (nuint)a7);
    }

    /// <summary>4 vectors at the given pixel offsets (the first 4 of <paramref name="at"/>), as <see cref="BlockAt8"/>.</summary>
    private static void BlockAt4(in Csr csr, int f, ref float b, int n, ReadOnlySpan<int> at, ref float d)
    {
        int start = csr.RowStart[f], count = csr.RowStart[f + 1] - start;
        ref ushort col = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Columns), start);
        ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Values), start);
        nint a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3];
        Vector512<float> s0 = Vector512.Create(csr.Bias[f]), s1 = s0, s2 = s0, s3 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref val, t));
            ref float src = ref Unsafe.Add(ref b, (nint)Unsafe.Add(ref col, t) * n);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a0)), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a1)), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a2)), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref Unsafe.Add(ref src, a3)), s3);
        }
        FusedActivation a = csr.Activation;
        Store(s0, a, ref d, (nuint)a0); Store(s1, a, ref d, (nuint)a1); Store(s2, a, ref d, (nuint)a2); Store(s3, a, ref d, (nuint)a3);
    }

    private readonly ref struct Csr(int[] rowStart, ushort[] columns, float[] values, float[] bias, FusedActivation activation)
    {
        public readonly int[] RowStart = rowStart;
        public readonly ushort[] Columns = columns;
        public readonly float[] Values = values;
        public readonly float[] Bias = bias;
        public readonly FusedActivation Activation = activation;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(in Csr csr, int f, ref float block, int n, ref float d)
    {
        int start = csr.RowStart[f], count = csr.RowStart[f + 1] - start;
        ref ushort col = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Columns), start);
        ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Values), start);
        Vector512<float> s0 = Vector512.Create(csr.Bias[f]), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref val, t));
            ref float src = ref Unsafe.Add(ref block, (nint)Unsafe.Add(ref col, t) * n);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, Wide), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 2 * Wide), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 3 * Wide), s3);
            s4 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 4 * Wide), s4);
            s5 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 5 * Wide), s5);
            s6 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 6 * Wide), s6);
            s7 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 7 * Wide), s7);
        }
        FusedActivation a = csr.Activation;
        Store(s0, a, ref d, 0); Store(s1, a, ref d, Wide); Store(s2, a, ref d, 2 * Wide); Store(s3, a, ref d, 3 * Wide);
        Store(s4, a, ref d, 4 * Wide); Store(s5, a, ref d, 5 * Wide); Store(s6, a, ref d, 6 * Wide); Store(s7, a, ref d, 7 * Wide);
    }

    /// <summary>ReLU/ReLU6 as max then min (NaN-propagating, the values <see cref="FusedActivationExtensions.ApplyInPlace"/> gives), then the store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> s, FusedActivation activation, ref float d, nuint offset)
    {
        if (activation != FusedActivation.None)
        {
            s = Vector512.Max(s, Vector512<float>.Zero);
            if (activation == FusedActivation.Relu6) s = Vector512.Min(s, Vector512.Create(6f));
        }
        s.StoreUnsafe(ref d, offset);
    }
}
