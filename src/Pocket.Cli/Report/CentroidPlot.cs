using Pocket.Training.Compression;
using ScottPlot;
using Color = ScottPlot.Color;

namespace Pocket.Cli.Report;

/// <summary>
/// Han et al. 2016, Figure 4: the distribution k-means clustered, the centroids the file ended with (red lines),
/// and where the linear, density and random initialisations would have started them (rows of markers above
/// the histogram). Linear keeps centroids on the rare large weights; density crowds them near the peaks.
/// </summary>
public static class CentroidPlot
{
    private const int Bins = 120;
    private const int Seed = 1; // the pipeline's default seed

    public static void Save(LayerWeights layer, string path)
    {
        float[] weights = layer.ClusteredWeights();
        float[] codebook = layer.Codebook;
        var (min, max) = HistogramBins.Range(weights, codebook);
        var bins = HistogramBins.Count(weights, min, max, Bins);
        int k = Math.Min(layer.ClusterCount, weights.Length);
        var plot = PlotStyle.New($"{layer.Name}: {codebook.Length} shared weights (k-means, k = {k}, over {weights.Length:N0} weights)",
            "weight value", "weights per bin");
        WeightHistogramPlot.AddBars(plot, bins, PlotStyle.After.WithAlpha(0.55), layer.Before is null ? "file weights" : "kept weights,\nbefore");

        double top = Math.Max(1, bins.Counts.Max());
        for (int i = 0; i < codebook.Length; i++)
        {
            var line = plot.Add.VerticalLine(codebook[i], 1.2f, PlotStyle.Centroid.WithAlpha(0.8));
            if (i == 0) line.LegendText = "final\ncentroids";
        }
        if (weights.Length > 0 && k > 0)
        {
            var sorted = (float[])weights.Clone();
            Array.Sort(sorted);
            AddInitialisation(plot, sorted, k, CentroidInitialization.Linear, top * 1.10, PlotStyle.Linear, MarkerShape.FilledTriangleUp);
            AddInitialisation(plot, sorted, k, CentroidInitialization.Density, top * 1.20, PlotStyle.Density, MarkerShape.FilledCircle);
            AddInitialisation(plot, sorted, k, CentroidInitialization.Random, top * 1.30, PlotStyle.Random, MarkerShape.FilledDiamond);
        }
        plot.Axes.SetLimitsY(0, top * 1.38);
        plot.ShowLegend(Edge.Right); // outside the data: the lines and markers span the whole width
        PlotStyle.Save(plot, path);
    }

    private static void AddInitialisation(Plot plot, float[] sorted, int k, CentroidInitialization init, double y, Color color, MarkerShape shape)
    {
        double[] xs = KMeans1D.Initialize(sorted, k, init, Seed);
        var points = plot.Add.ScatterPoints(xs, xs.Select(_ => y).ToArray(), color);
        points.MarkerShape = shape;
        points.MarkerSize = 8;
        points.LegendText = $"{init.ToString().ToLowerInvariant()} init";
    }
}
