namespace Pocket.Cli.Report;

/// <summary>Equal-width bins over a fixed range, so two distributions drawn on one plot share their bins.</summary>
public sealed record HistogramBins(double Min, double Width, long[] Counts)
{
    public double Center(int i) => Min + (i + 0.5) * Width;

    public static HistogramBins Count(IEnumerable<float> values, double min, double max, int bins)
    {
        if (!(max > min)) { min -= 0.5; max += 0.5; } // one distinct value still gets a visible bin
        double width = (max - min) / bins;
        var counts = new long[bins];
        foreach (float v in values)
        {
            int i = (int)Math.Floor((v - min) / width);
            counts[Math.Clamp(i, 0, bins - 1)]++;
        }
        return new HistogramBins(min, width, counts);
    }

    /// <summary>The range covering every value of every given set.</summary>
    public static (double Min, double Max) Range(params IEnumerable<float>[] sets)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var set in sets)
            foreach (float v in set) { if (v < min) min = v; if (v > max) max = v; }
        return double.IsInfinity(min) ? (-1, 1) : (min, max);
    }
}
