namespace Pocket.Web;

/// <summary>The most probable classes of one output: softmax of logits (or the output itself when it already is one).</summary>
public static class TopClasses
{
    public sealed record Entry(int Class, string Label, double Probability);

    public static Entry[] Of(float[] output, string[] labels, bool alreadyProbabilities, int k = 5)
    {
        double[] p = alreadyProbabilities ? output.Select(v => (double)v).ToArray() : Softmax(output);
        return Enumerable.Range(0, output.Length)
            .OrderByDescending(c => p[c]).ThenBy(c => c)
            .Take(k)
            .Select(c => new Entry(c, labels[c], p[c]))
            .ToArray();
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
