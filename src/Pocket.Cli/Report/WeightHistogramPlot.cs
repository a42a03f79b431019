using ScottPlot;
using Color = ScottPlot.Color;

namespace Pocket.Cli.Report;

/// <summary>
/// A layer's weights before compression (every weight of the before checkpoint) against what the file keeps
/// (its non-zero values after pruning and quantization): the hole around zero is what pruning removed.
/// </summary>
public static class WeightHistogramPlot
{
    private const int Bins = 120;

    public static void Save(LayerWeights layer, string path)
    {
        float[] after = layer.NonZeroAfter();
        var (min, max) = layer.Before is null ? HistogramBins.Range(after) : HistogramBins.Range(layer.Before, after);
        var plot = PlotStyle.New($"{layer.Name}: weight distribution", "weight value", "weights per bin");
        if (layer.Before is not null)
            AddBars(plot, HistogramBins.Count(layer.Before, min, max, Bins), PlotStyle.Before.WithAlpha(0.85),
                $"before: all {layer.Before.Length:N0} weights");
        AddBars(plot, HistogramBins.Count(after, min, max, Bins), PlotStyle.After.WithAlpha(0.8),
            $"after pruning: {after.Length:N0} non-zero weights in the file ({100.0 * after.Length / Math.Max(1, layer.Section.ElementCount):0.#}%)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        PlotStyle.Save(plot, path);
    }

    internal static void AddBars(Plot plot, HistogramBins bins, Color color, string legend)
    {
        var bars = new List<Bar>(bins.Counts.Length);
        for (int i = 0; i < bins.Counts.Length; i++)
            if (bins.Counts[i] > 0)
                bars.Add(new Bar { Position = bins.Center(i), Value = bins.Counts[i], Size = bins.Width, FillColor = color, LineWidth = 0 });
        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = legend, FillColor = color });
    }
}
