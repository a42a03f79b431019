using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// <see cref="SparseConv2dOp"/>'s matrix kernel (out[f, pixels] = bias[f] + Σ over f's non-zeros of value · B[column,
/// pixels]) with 512-bit vectors, for CPUs where <see cref="PackedGemm.IsSupported"/> (there
/// <see cref="System.Numerics.Vector{T}"/> stays 256-bit, so the portable kernel fills half of each FMA): blocks of 8,
/// 4 and 1 vectors of 16 pixels outer, the channels of the range inner, and a last partial vector overlapping the
/// previous one. Each lane is the same FMA chain as the portable kernel's, so results are bit-identical to it.
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
        for (; j + 4 * Wide <= n; j += 4 * Wide)
            for (int f = filter0; f < filter1; f++) Block4(csr, f, ref Unsafe.Add(ref bRef, j), n, ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n + j));
        for (; j + Wide <= n; j += Wide)
            for (int f = filter0; f < filter1; f++) Block1(csr, f, ref Unsafe.Add(ref bRef, j), n, ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n + j));
        if (j < n)
            for (int f = filter0; f < filter1; f++) Block1(csr, f, ref Unsafe.Add(ref bRef, n - Wide), n, ref Unsafe.Add(ref outRef, (nint)(f - filter0) * n + n - Wide));
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(in Csr csr, int f, ref float block, int n, ref float d)
    {
        int start = csr.RowStart[f], count = csr.RowStart[f + 1] - start;
        ref ushort col = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Columns), start);
        ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Values), start);
        Vector512<float> s0 = Vector512.Create(csr.Bias[f]), s1 = s0, s2 = s0, s3 = s0;
        for (int t = 0; t < count; t++)
        {
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref val, t));
            ref float src = ref Unsafe.Add(ref block, (nint)Unsafe.Add(ref col, t) * n);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, Wide), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 2 * Wide), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref src, 3 * Wide), s3);
        }
        FusedActivation a = csr.Activation;
        Store(s0, a, ref d, 0); Store(s1, a, ref d, Wide); Store(s2, a, ref d, 2 * Wide); Store(s3, a, ref d, 3 * Wide);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1(in Csr csr, int f, ref float block, int n, ref float d)
    {
        int start = csr.RowStart[f], count = csr.RowStart[f + 1] - start;
        ref ushort col = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Columns), start);
        ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(csr.Values), start);
        Vector512<float> s0 = Vector512.Create(csr.Bias[f]);
        for (int t = 0; t < count; t++)
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref val, t)),
                Vector512.LoadUnsafe(ref Unsafe.Add(ref block, (nint)Unsafe.Add(ref col, t) * n)), s0);
        Store(s0, csr.Activation, ref d, 0);
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
