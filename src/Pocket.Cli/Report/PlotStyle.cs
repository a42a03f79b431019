using Pocket.Training.Checkpoints;
using ScottPlot;
using Color = ScottPlot.Color;

namespace Pocket.Cli.Report;

/// <summary>
/// One look for every figure of the report: size, fonts large enough to read at page width, a fixed palette so
/// "before", "after" and the three initialisations keep their colours from plot to plot.
/// </summary>
public static class PlotStyle
{
    public const int Width = 800;
    public const int Height = 450;

    public static readonly Color Before = Color.FromHex("#9E9E9E");
    public static readonly Color After = Color.FromHex("#1F77B4");
    public static readonly Color Centroid = Color.FromHex("#D62728");
    public static readonly Color Linear = Color.FromHex("#2CA02C");
    public static readonly Color Density = Color.FromHex("#FF7F0E");
    public static readonly Color Random = Color.FromHex("#9467BD");
    public static readonly Color Filler = Color.FromHex("#8C564B");

    public static readonly Color[] Series = [After, Centroid, Linear, Density, Random, Filler, Color.FromHex("#E377C2"), Color.FromHex("#17BECF"), Color.FromHex("#BCBD22"), Before];

    public static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        ReportFont.Apply(plot);
        plot.Title(title, 17);
        plot.XLabel(xLabel, 15);
        plot.YLabel(yLabel, 15);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        return plot;
    }

    /// <summary>Renders the plot as PNG and writes it via temporary file + rename, so a reader never sees half a picture.</summary>
    public static void Save(Plot plot, string path, int width = Width, int height = Height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}
