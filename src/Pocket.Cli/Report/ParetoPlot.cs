using ScottPlot;

namespace Pocket.Cli.Report;

/// <summary>
/// File bytes against test error of one model's files, every file labelled, and the Pareto front drawn as a
/// staircase through its front points: the picture of what each technique buys, alone and together. One picture
/// per model, since two models' errors and sizes share no scale.
/// </summary>
public static class ParetoPlot
{
    /// <summary>The picture's file name for <paramref name="model"/>.</summary>
    public static string FileName(string model) =>
        $"pareto-{string.Concat(model.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'))}.png";

    public static void Save(IReadOnlyList<ParetoPoint> mine, string path)
    {
        if (mine.Count == 0 || mine.Any(p => p.Model != mine[0].Model)) throw new ArgumentException("one model's points, at least one");
        var plot = PlotStyle.New($"{mine[0].Model}: file size against test error (dense float32: {mine[0].DenseBytes:N0} bytes)",
            "file bytes (KB)", "test error (%)");
        {
            var color = PlotStyle.After;
            var dots = plot.Add.ScatterPoints(mine.Select(Kb).ToArray(), mine.Select(Percent).ToArray(), color);
            dots.MarkerSize = 8;
            dots.LegendText = "a .pocket file";
            var front = mine.Where(p => p.OnFront).OrderBy(p => p.FileBytes).ToList();
            if (front.Count > 1)
            {
                // A staircase: from each front point the error holds until the next, smaller-error file is reached.
                var xs = new List<double>(); var ys = new List<double>();
                for (int i = 0; i < front.Count; i++)
                {
                    if (i > 0) { xs.Add(Kb(front[i])); ys.Add(Percent(front[i - 1])); }
                    xs.Add(Kb(front[i])); ys.Add(Percent(front[i]));
                }
                var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), color);
                line.LineWidth = 1.5f;
                line.LinePattern = LinePattern.Dashed;
                line.LegendText = "Pareto front";
            }
            // Labels alternate above and below their dots in size order, so neighbours of similar size stay readable.
            var bySize = mine.OrderBy(p => p.FileBytes).ToList();
            for (int i = 0; i < bySize.Count; i++)
            {
                var p = bySize[i];
                var label = plot.Add.Text(p.Label, Kb(p), Percent(p));
                label.LabelFontSize = 11;
                label.LabelFontColor = color;
                label.LabelAlignment = i % 2 == 0 ? Alignment.LowerLeft : Alignment.UpperLeft;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = i % 2 == 0 ? -2 : 2;
            }
        }
        // Room around the points for their labels, which run to the right of each dot.
        double x0 = mine.Min(Kb), x1 = mine.Max(Kb), y0 = mine.Min(Percent), y1 = mine.Max(Percent);
        double dx = Math.Max(x1 - x0, 0.1 * Math.Max(x1, 1e-3)), dy = Math.Max(y1 - y0, 0.05);
        plot.Axes.SetLimits(x0 - 0.08 * dx, x1 + 0.3 * dx, y0 - 0.12 * dy, y1 + 0.2 * dy);
        plot.ShowLegend(Alignment.UpperRight);
        ReportFont.Apply(plot); // again: the labels added after PlotStyle.New need the embedded face too
        PlotStyle.Save(plot, path, PlotStyle.Width + 200, PlotStyle.Height + 150);
    }

    private static double Kb(ParetoPoint p) => p.FileBytes / 1000.0;

    private static double Percent(ParetoPoint p) => 100 * p.TestError;
}
