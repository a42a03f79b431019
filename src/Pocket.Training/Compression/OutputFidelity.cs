using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>
/// How closely a compressed model's outputs follow the original's on the same inputs, which needs no labels: the
/// fraction of inputs whose top-1 class is the same (top-1 agreement), and the cosine similarity of the two output
/// vectors, averaged and at its smallest. Computed in float64 so the figure is the outputs', not the summation's.
/// </summary>
public sealed record OutputFidelity(int Samples, double Top1Agreement, double MeanCosine, double MinCosine)
{
    public static OutputFidelity Compare(ModelOutputs original, ModelOutputs compressed)
    {
        if (original.Samples != compressed.Samples || original.Outputs != compressed.Outputs)
            throw new ArgumentException($"outputs of {compressed.Samples}×{compressed.Outputs} cannot be compared with {original.Samples}×{original.Outputs}");
        if (original.Samples == 0) throw new ArgumentException("no inputs to compare the outputs on");
        int agree = 0;
        double sum = 0, min = double.PositiveInfinity;
        for (int i = 0; i < original.Samples; i++)
        {
            var a = original.Row(i);
            var b = compressed.Row(i);
            if (ArgMax(a) == ArgMax(b)) agree++;
            double cosine = Cosine(a, b);
            sum += cosine;
            min = Math.Min(min, cosine);
        }
        return new OutputFidelity(original.Samples, (double)agree / original.Samples, sum / original.Samples, min);
    }

    /// <summary>
    /// a·b / (|a| |b|). Two zero vectors are the same output (1); a zero vector against a non-zero one shares no
    /// direction with it (0), rather than a division by zero.
    /// </summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        if (aa == 0 || bb == 0) return aa == bb ? 1 : 0;
        return dot / (Math.Sqrt(aa) * Math.Sqrt(bb));
    }

    /// <summary>The index of the largest value, the first one on a tie (as torch's argmax).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
