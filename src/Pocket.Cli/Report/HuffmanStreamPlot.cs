using Pocket.Format;
using ScottPlot;

namespace Pocket.Cli.Report;

/// <summary>
/// Han et al. 2016, Figure 5: how often each symbol of a coded stream occurs — the weight codes (codebook
/// indices, with the sparse filler as symbol 0) and the relative indices (zeros skipped before each entry;
/// the last value, 2^b − 1, also counts the fillers). The skew is what Huffman coding turns into fewer bits;
/// the title gives the entropy bound, the Huffman bits actually coded and the fixed width.
/// </summary>
public static class HuffmanStreamPlot
{
    public static void SaveWeightCodes(LayerWeights layer, SymbolStreams streams, string path)
    {
        var report = layer.Section.WeightCodes!;
        bool sparse = streams.RelativeIndices is not null;
        var counts = SymbolStreams.Histogram(streams.WeightSymbols, streams.WeightAlphabet);
        var plot = PlotStyle.New(Title($"{layer.Name}: weight codes", report), sparse ? "weight code (codebook index + 1; 0 = filler)" : "weight code (codebook index)", "entries");
        AddBars(plot, counts, fillerSymbol: sparse ? 0 : -1);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{report.SymbolCount:N0} codes, {report.DistinctSymbols} distinct", FillColor = PlotStyle.After });
        if (sparse) plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"fillers: {counts[0]:N0}", FillColor = PlotStyle.Filler });
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        PlotStyle.Save(plot, path);
    }

    public static void SaveRelativeIndices(LayerWeights layer, SymbolStreams streams, string path)
    {
        var report = layer.Section.RelativeIndices!;
        var counts = SymbolStreams.Histogram(streams.RelativeIndices!, streams.IndexAlphabet);
        // Most gaps are short; drawing all 2^b values would squeeze them into a sliver, so draw up to the value
        // that covers 99.5% of the entries and count the rest (the fillers among them) in the legend.
        int cut = Math.Max(Math.Min(counts.Length - 1, 15), Quantile(counts, 0.995));
        long beyond = counts.Skip(cut + 1).Sum();
        var plot = PlotStyle.New(Title($"{layer.Name}: relative indices (b = {layer.Section.IndexBits})", report),
            "relative index r = zeros skipped before the entry (gap − 1)", "entries");
        AddBars(plot, counts.Take(cut + 1).ToArray(), fillerSymbol: counts.Length - 1);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{report.SymbolCount:N0} entries", FillColor = PlotStyle.After });
        string fillers = $"{layer.Section.FillerCount:N0} fillers (r = {counts.Length - 1})";
        if (beyond > 0) plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"r > {cut}: {beyond:N0} entries, not drawn; {fillers}", FillColor = PlotStyle.Before });
        else plot.Legend.ManualItems.Add(new LegendItem { LabelText = fillers, FillColor = PlotStyle.Filler });
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        PlotStyle.Save(plot, path);
    }

    /// <summary>The smallest symbol below which at least <paramref name="q"/> of the counts fall.</summary>
    private static int Quantile(long[] counts, double q)
    {
        long total = counts.Sum(), running = 0;
        for (int i = 0; i < counts.Length; i++)
            if ((running += counts[i]) >= q * total) return i;
        return counts.Length - 1;
    }

    private static string Title(string what, StreamReport r) =>
        $"{what}\nentropy {r.EntropyBitsPerSymbol:0.00}, Huffman {r.HuffmanBitsPerSymbol:0.00}, fixed {r.FixedWidthBits} bits/symbol; stored as {r.StoredCoding}";

    private static void AddBars(Plot plot, long[] counts, int fillerSymbol)
    {
        var bars = new List<Bar>(counts.Length);
        for (int i = 0; i < counts.Length; i++)
            bars.Add(new Bar { Position = i, Value = counts[i], Size = 0.8, FillColor = i == fillerSymbol ? PlotStyle.Filler : PlotStyle.After, LineWidth = 0 });
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true }; // symbols are whole numbers
    }
}
