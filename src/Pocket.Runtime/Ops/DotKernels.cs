using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Dot products of one weight row with one or four input vectors. Both forms accumulate every sample in exactly
/// the same order (two vector accumulators, then the scalar tail), so a sample gets bit-identical logits whether
/// it is predicted alone or inside a batch.
/// </summary>
internal static class DotKernels
{
    public static float Dot(ReadOnlySpan<float> row, ReadOnlySpan<float> x)
    {
        int n = row.Length, w = Vector<float>.Count;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float a = ref MemoryMarshal.GetReference(x);
        Vector<float> s0 = Vector<float>.Zero, s1 = s0;
        int i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            s0 = MulAdd.Of(Vector.LoadUnsafe(ref r, (nuint)i), Vector.LoadUnsafe(ref a, (nuint)i), s0);
            s1 = MulAdd.Of(Vector.LoadUnsafe(ref r, (nuint)(i + w)), Vector.LoadUnsafe(ref a, (nuint)(i + w)), s1);
        }
        if (i + w <= n)
        {
            s0 = MulAdd.Of(Vector.LoadUnsafe(ref r, (nuint)i), Vector.LoadUnsafe(ref a, (nuint)i), s0);
            i += w;
        }
        float sum = Vector.Sum(s0 + s1);
        for (; i < n; i++) sum = MulAdd.Of(Unsafe.Add(ref r, i), Unsafe.Add(ref a, i), sum);
        return sum;
    }

    /// <summary>Four dot products sharing the row loads (batched inference reads each weight once per 4 samples).</summary>
    public static void Dot4(ReadOnlySpan<float> row, ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3,
        out float d0, out float d1, out float d2, out float d3)
    {
        int n = row.Length, w = Vector<float>.Count;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float a0 = ref MemoryMarshal.GetReference(x0);
        ref float a1 = ref MemoryMarshal.GetReference(x1);
        ref float a2 = ref MemoryMarshal.GetReference(x2);
        ref float a3 = ref MemoryMarshal.GetReference(x3);
        Vector<float> s00 = Vector<float>.Zero, s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        int i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            Vector<float> w0 = Vector.LoadUnsafe(ref r, (nuint)i), w1 = Vector.LoadUnsafe(ref r, (nuint)(i + w));
            s00 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a0, (nuint)i), s00);
            s01 = MulAdd.Of(w1, Vector.LoadUnsafe(ref a0, (nuint)(i + w)), s01);
            s10 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a1, (nuint)i), s10);
            s11 = MulAdd.Of(w1, Vector.LoadUnsafe(ref a1, (nuint)(i + w)), s11);
            s20 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a2, (nuint)i), s20);
            s21 = MulAdd.Of(w1, Vector.LoadUnsafe(ref a2, (nuint)(i + w)), s21);
            s30 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a3, (nuint)i), s30);
            s31 = MulAdd.Of(w1, Vector.LoadUnsafe(ref a3, (nuint)(i + w)), s31);
        }
        if (i + w <= n)
        {
            Vector<float> w0 = Vector.LoadUnsafe(ref r, (nuint)i);
            s00 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a0, (nuint)i), s00);
            s10 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a1, (nuint)i), s10);
            s20 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a2, (nuint)i), s20);
            s30 = MulAdd.Of(w0, Vector.LoadUnsafe(ref a3, (nuint)i), s30);
            i += w;
        }
        d0 = Vector.Sum(s00 + s01);
        d1 = Vector.Sum(s10 + s11);
        d2 = Vector.Sum(s20 + s21);
        d3 = Vector.Sum(s30 + s31);
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref r, i);
            d0 = MulAdd.Of(wi, Unsafe.Add(ref a0, i), d0);
            d1 = MulAdd.Of(wi, Unsafe.Add(ref a1, i), d1);
            d2 = MulAdd.Of(wi, Unsafe.Add(ref a2, i), d2);
            d3 = MulAdd.Of(wi, Unsafe.Add(ref a3, i), d3);
        }
    }

    /// <summary>out[s·outLength + o] = act(row·x_s + bias) for every sample of the batch.</summary>
    public static void RowTimesBatch(ReadOnlySpan<float> row, float[] input, int inLength, float[] output, int outLength, int o, int batch,
        float bias, FusedActivation activation)
    {
        int s = 0;
        for (; s + 4 <= batch; s += 4)
        {
            Dot4(row,
                input.AsSpan(s * inLength, inLength), input.AsSpan((s + 1) * inLength, inLength),
                input.AsSpan((s + 2) * inLength, inLength), input.AsSpan((s + 3) * inLength, inLength),
                out float d0, out float d1, out float d2, out float d3);
            output[s * outLength + o] = activation.Apply(d0 + bias);
            output[(s + 1) * outLength + o] = activation.Apply(d1 + bias);
            output[(s + 2) * outLength + o] = activation.Apply(d2 + bias);
            output[(s + 3) * outLength + o] = activation.Apply(d3 + bias);
        }
        for (; s < batch; s++)
            output[s * outLength + o] = activation.Apply(Dot(row, input.AsSpan(s * inLength, inLength)) + bias);
    }
}
