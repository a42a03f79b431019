using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// The sliding-window reductions over a <see cref="PhasePlane"/>: out[q] = f over taps t of in[q + offset[t]], for
/// q in [0, length), computed four vectors at a time (four independent accumulator chains hide the FMA latency;
/// each tap then costs one broadcast and four loads). 512-bit vectors where the CPU has them, else
/// <see cref="Vector{T}"/> (NEON on ARM64). Each output lane is the same chain in tap order whatever the vector
/// width, so results are bit-identical across CPUs and thread counts.
/// <para>Reads run up to four vectors past <paramref name="length"/> (into <see cref="PhasePlane.Slack"/>) and write
/// up to four vectors past it: the stream buffer must be <see cref="StreamBufferLength"/> long.</para>
/// </summary>
internal static class WindowStream
{
    private static bool Use512 => Vector512.IsHardwareAccelerated && MulAdd.HasFma;

    /// <summary>Floats of a stream buffer for <paramref name="length"/> outputs.</summary>
    public static int StreamBufferLength(int length) => length + PhasePlane.Slack;

    /// <summary>Cells of input the stream reads: up to four 512-bit vectors past the last output, from the farthest tap.</summary>
    private static int ReadExtent(ReadOnlySpan<int> offsets, int length)
    {
        int max = 0;
        foreach (int o in offsets) max = Math.Max(max, o);
        return length + max + PhasePlane.Slack - 1;
    }

    /// <summary>out[q] = bias + Σ_t weight[t]·in[q + offset[t]], one FMA per tap in order t = 0, 1, ….</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> input, ReadOnlySpan<int> offsets, ReadOnlySpan<float> weights, float bias,
        Span<float> stream, int length)
    {
        int taps = offsets.Length;
        if (weights.Length < taps || stream.Length < StreamBufferLength(length) || input.Length < ReadExtent(offsets, length))
            throw new ArgumentException("window stream buffers are too small");
        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(stream);
        ref int offRef = ref MemoryMarshal.GetReference(offsets);
        ref float wRef = ref MemoryMarshal.GetReference(weights);
        if (Use512)
        {
            const int w = 16;
            for (int q = 0; q < length; q += 4 * w)
            {
                Vector512<float> a0 = Vector512.Create(bias), a1 = a0, a2 = a0, a3 = a0;
                ref float src = ref Unsafe.Add(ref inRef, q);
                for (int t = 0; t < taps; t++)
                {
                    Vector512<float> x = Vector512.Create(Unsafe.Add(ref wRef, t));
                    ref float s = ref Unsafe.Add(ref src, Unsafe.Add(ref offRef, t));
                    a0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref s), a0);
                    a1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref s, w), a1);
                    a2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref s, 2 * w), a2);
                    a3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref s, 3 * w), a3);
                }
                ref float d = ref Unsafe.Add(ref outRef, q);
                a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, w); a2.StoreUnsafe(ref d, 2 * w); a3.StoreUnsafe(ref d, 3 * w);
            }
            return;
        }

        int v = Vector<float>.Count;
        for (int q = 0; q < length; q += 4 * v)
        {
            Vector<float> a0 = new(bias), a1 = a0, a2 = a0, a3 = a0;
            ref float src = ref Unsafe.Add(ref inRef, q);
            for (int t = 0; t < taps; t++)
            {
                Vector<float> x = new(Unsafe.Add(ref wRef, t));
                ref float s = ref Unsafe.Add(ref src, Unsafe.Add(ref offRef, t));
                a0 = MulAdd.Of(x, Vector.LoadUnsafe(ref s), a0);
                a1 = MulAdd.Of(x, Vector.LoadUnsafe(ref s, (nuint)v), a1);
                a2 = MulAdd.Of(x, Vector.LoadUnsafe(ref s, (nuint)(2 * v)), a2);
                a3 = MulAdd.Of(x, Vector.LoadUnsafe(ref s, (nuint)(3 * v)), a3);
            }
            ref float d = ref Unsafe.Add(ref outRef, q);
            a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, (nuint)v); a2.StoreUnsafe(ref d, (nuint)(2 * v)); a3.StoreUnsafe(ref d, (nuint)(3 * v));
        }
    }

    /// <summary>out[q] = max over t of in[q + offset[t]], NaN-propagating (IEEE 754:2019 maximum, as PyTorch).</summary>
    public static void Max(ReadOnlySpan<float> input, ReadOnlySpan<int> offsets, Span<float> stream, int length)
    {
        int taps = offsets.Length;
        if (taps == 0 || stream.Length < StreamBufferLength(length) || input.Length < ReadExtent(offsets, length))
            throw new ArgumentException("window stream buffers are too small");
        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(stream);
        ref int offRef = ref MemoryMarshal.GetReference(offsets);
        if (Vector512.IsHardwareAccelerated)
        {
            const int w = 16;
            for (int q = 0; q < length; q += 4 * w)
            {
                ref float src = ref Unsafe.Add(ref inRef, q);
                ref float s0 = ref Unsafe.Add(ref src, offRef);
                Vector512<float> a0 = Vector512.LoadUnsafe(ref s0), a1 = Vector512.LoadUnsafe(ref s0, w);
                Vector512<float> a2 = Vector512.LoadUnsafe(ref s0, 2 * w), a3 = Vector512.LoadUnsafe(ref s0, 3 * w);
                for (int t = 1; t < taps; t++)
                {
                    ref float s = ref Unsafe.Add(ref src, Unsafe.Add(ref offRef, t));
                    a0 = Vector512.Max(a0, Vector512.LoadUnsafe(ref s));
                    a1 = Vector512.Max(a1, Vector512.LoadUnsafe(ref s, w));
                    a2 = Vector512.Max(a2, Vector512.LoadUnsafe(ref s, 2 * w));
                    a3 = Vector512.Max(a3, Vector512.LoadUnsafe(ref s, 3 * w));
                }
                ref float d = ref Unsafe.Add(ref outRef, q);
                a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, w); a2.StoreUnsafe(ref d, 2 * w); a3.StoreUnsafe(ref d, 3 * w);
            }
            return;
        }

        int v = Vector<float>.Count;
        for (int q = 0; q < length; q += 4 * v)
        {
            ref float src = ref Unsafe.Add(ref inRef, q);
            ref float s0 = ref Unsafe.Add(ref src, offRef);
            Vector<float> a0 = Vector.LoadUnsafe(ref s0), a1 = Vector.LoadUnsafe(ref s0, (nuint)v);
            Vector<float> a2 = Vector.LoadUnsafe(ref s0, (nuint)(2 * v)), a3 = Vector.LoadUnsafe(ref s0, (nuint)(3 * v));
            for (int t = 1; t < taps; t++)
            {
                ref float s = ref Unsafe.Add(ref src, Unsafe.Add(ref offRef, t));
                a0 = Vector.Max(a0, Vector.LoadUnsafe(ref s));
                a1 = Vector.Max(a1, Vector.LoadUnsafe(ref s, (nuint)v));
                a2 = Vector.Max(a2, Vector.LoadUnsafe(ref s, (nuint)(2 * v)));
                a3 = Vector.Max(a3, Vector.LoadUnsafe(ref s, (nuint)(3 * v)));
            }
            ref float d = ref Unsafe.Add(ref outRef, q);
            a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, (nuint)v); a2.StoreUnsafe(ref d, (nuint)(2 * v)); a3.StoreUnsafe(ref d, (nuint)(3 * v));
        }
    }
}
