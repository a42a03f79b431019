using ScottPlot;

namespace Pocket.Cli.Report;

/// <summary>
/// Han et al. 2015, Figure 6: test accuracy with one layer pruned alone (no retraining) against the share of
/// its weights pruned away — the curves that set how hard each layer can be pruned.
/// </summary>
public static class SensitivityPlot
{
    public static void Save(SensitivityCurves curves, string path)
    {
        var plot = PlotStyle.New($"Sensitivity{(curves.Model.Length > 0 ? $" of {curves.Model}" : "")}: each layer pruned alone, no retraining",
            "weights pruned away (%)", "test accuracy (%)");
        for (int i = 0; i < curves.Layers.Count; i++)
        {
            var c = curves.Layers[i];
            double[] xs = c.Points.Select(p => 100 * (1 - p.Kept)).ToArray();
            double[] ys = c.Points.Select(p => 100 * p.Accuracy).ToArray();
            var line = plot.Add.Scatter(xs, ys, PlotStyle.Series[i % PlotStyle.Series.Length]);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = c.Weights > 0 ? $"{c.Layer} ({c.Weights:N0} weights)" : c.Layer;
        }
        plot.Axes.SetLimitsX(0, 100);
        if (curves.Layers.Count <= 8)
        {
            plot.ShowLegend(Alignment.LowerLeft);
            PlotStyle.Save(plot, path);
            return;
        }
        // A deep network's legend (MobileNet: 28 layers) would hide the curves: beside the plot, one row per layer.
        plot.ShowLegend(Edge.Right);
        PlotStyle.Save(plot, path, PlotStyle.Width + 320, Math.Max(PlotStyle.Height, 22 * curves.Layers.Count + 90));
    }
}
