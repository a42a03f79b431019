using Pocket.Format;
using ScottPlot;
using Color = ScottPlot.Color;

namespace Pocket.Cli.Report;

/// <summary>
/// Bits per layer at each stage of Deep Compression, on a log scale: dense float32; after pruning (each kept
/// entry as a float32 plus its b-bit relative index, fillers included); after quantization ("P+Q": fixed-width
/// codes and indices plus the float32 codebook, as in `pocket inspect`); after Huffman coding ("P+Q+H": the
/// section's real bytes). The last group is the whole file.
/// </summary>
public static class BitsPerStagePlot
{
    public sealed record Stages(string Label, double Dense, double Pruned, double Quantized, double Huffman);

    public static readonly string[] StageNames = ["dense float32", "pruned (32-bit values + indices)", "P+Q (fixed width)", "P+Q+H (file bytes)"];

    public static Stages For(TensorReport t)
    {
        double dense = t.ElementCount * 32.0;
        double pruned = t.Encoding == TensorEncoding.SparseQuantized ? t.EntryCount * (32.0 + t.IndexBits) : dense;
        double quantized = t.Encoding switch
        {
            TensorEncoding.Dense => dense,
            TensorEncoding.Binary => t.ElementCount + t.Shape[0] * 32.0,
            _ => t.EntryCount * (t.WeightBitsFixed + t.IndexBitsFixed) + t.CodebookSize * 32.0,
        };
        return new Stages(t.Name, dense, pruned, quantized, t.SectionBytes * 8.0);
    }

    public static IReadOnlyList<Stages> Rows(PocketFileReport report, IEnumerable<LayerWeights> layers)
    {
        var rows = layers.Select(l => For(l.Section)).ToList();
        var all = report.Tensors.Select(For).ToList();
        // The file's real size includes its header, metadata and graph, which no earlier stage counts.
        rows.Add(new Stages("whole file", all.Sum(s => s.Dense), all.Sum(s => s.Pruned), all.Sum(s => s.Quantized), report.FileBytes * 8.0));
        return rows;
    }

    public static void Save(IReadOnlyList<Stages> rows, string path)
    {
        var plot = PlotStyle.New("Bits per layer after each stage", "", "bits (log scale)");
        Color[] colors = [PlotStyle.Before, PlotStyle.Density, PlotStyle.After, PlotStyle.Linear];
        var bars = new List<Bar>();
        double min = double.PositiveInfinity, max = 0;
        for (int g = 0; g < rows.Count; g++)
        {
            double[] values = [rows[g].Dense, rows[g].Pruned, rows[g].Quantized, rows[g].Huffman];
            for (int s = 0; s < values.Length; s++)
            {
                double v = Math.Log10(Math.Max(1, values[s]));
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                bars.Add(new Bar { Position = g * 5 + s, Value = v, ValueBase = 0, Size = 0.9, FillColor = colors[s], LineWidth = 0 });
            }
        }
        plot.Add.Bars(bars);
        for (int s = 0; s < StageNames.Length; s++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = StageNames[s], FillColor = colors[s] });

        double[] positions = Enumerable.Range(0, rows.Count).Select(g => g * 5 + 1.5).ToArray();
        plot.Axes.Bottom.SetTicks(positions, rows.Select(r => Shorten(r.Label)).ToArray());
        if (rows.Count > 6)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        }
        // Powers of ten on the left axis, labelled as bit counts, since the bars are log10 of the bits.
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double floor = Math.Floor(Math.Max(0, min - 1));
        for (int p = (int)floor; p <= Math.Ceiling(max); p++) ticks.AddMajor(p, Bits(Math.Pow(10, p)));
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(-1, rows.Count * 5 - 1, floor, max + (max - floor) * 0.6);
        plot.ShowLegend(Alignment.UpperRight);
        PlotStyle.Save(plot, path, Math.Max(PlotStyle.Width, 140 + rows.Count * 75), PlotStyle.Height + (rows.Count > 6 ? 60 : 0));
    }

    private static string Shorten(string name) => name.EndsWith(".weight", StringComparison.Ordinal) ? name[..^".weight".Length] : name;

    private static string Bits(double v) => v switch
    {
        >= 1e9 => $"{v / 1e9:0.#} Gbit",
        >= 1e6 => $"{v / 1e6:0.#} Mbit",
        >= 1e3 => $"{v / 1e3:0.#} kbit",
        _ => $"{v:0} bit",
    };
}
