using System.Text;
using Pocket.Format;
using Pocket.Training.Checkpoints;

namespace Pocket.Cli.Report;

/// <summary>
/// Writes the compression report of a .pocket file: PNG figures per compressible layer and for the whole model,
/// and an index.html that shows them with the `pocket inspect` table. Every file is written via temporary file +
/// rename, pictures first and the page last, so an existing report is replaced file by file and the page never
/// refers to a picture that is not there yet.
/// </summary>
public static class ReportWriter
{
    public const string IndexFile = "index.html";

    /// <summary>Writes the report into <paramref name="outDir"/> (created if missing) and returns the path of its index.html.</summary>
    /// <param name="pocketPath">The .pocket file to report on.</param>
    /// <param name="before">The dense checkpoint compression started from (for the "before" distributions), or null.</param>
    /// <param name="sensitivityJson">Output of `pocket sensitivity --json` for the sensitivity curves, or null.</param>
    public static string Write(string pocketPath, Checkpoint? before, string? sensitivityJson, string outDir)
    {
        if (!File.Exists(pocketPath)) throw new InputException($"{pocketPath}: file not found");
        return Write(File.ReadAllBytes(pocketPath), Path.GetFileName(pocketPath), before, sensitivityJson, outDir);
    }

    /// <summary>Writes the report of a .pocket file held in memory (<paramref name="fileName"/> names it on the page).</summary>
    public static string Write(byte[] pocketFile, string fileName, Checkpoint? before, string? sensitivityJson, string outDir)
    {
        var sensitivity = sensitivityJson is null ? null : SensitivityCurves.Load(sensitivityJson);
        var model = PocketFile.Decode(pocketFile, fileName);
        var report = PocketFile.Inspect(pocketFile, fileName);
        var layers = LayerWeights.Of(model, report, before);
        Directory.CreateDirectory(outDir);

        var overview = new List<ReportFigure>();
        const string bitsFile = "bits-per-stage.png";
        BitsPerStagePlot.Save(BitsPerStagePlot.Rows(report, layers), Path.Combine(outDir, bitsFile));
        overview.Add(new ReportFigure(bitsFile, "Bits per layer: dense float32, after pruning (32-bit values plus relative indices), " +
            "after quantization (P+Q, fixed-width codes) and after Huffman coding (P+Q+H, the file's real bytes). Log scale."));
        if (sensitivity is not null)
        {
            const string sensitivityFile = "sensitivity.png";
            SensitivityPlot.Save(sensitivity, Path.Combine(outDir, sensitivityFile));
            overview.Add(new ReportFigure(sensitivityFile, "Test accuracy with each layer pruned alone, without retraining (from `pocket sensitivity`)."));
        }

        var sections = layers.Select(layer => LayerSection(layer, outDir)).ToList();
        string title = $"Pocket compression report: {fileName}";
        string html = HtmlPage.Render(title, report, model.Metadata, overview, sections);
        string index = Path.Combine(outDir, IndexFile);
        AtomicFile.WriteAllBytes(index, Encoding.UTF8.GetBytes(html));
        return index;
    }

    private static HtmlPage.LayerSection LayerSection(LayerWeights layer, string outDir)
    {
        string stem = FileStem(layer.Name);
        var figures = new List<ReportFigure>();
        string weights = $"{stem}-weights.png";
        WeightHistogramPlot.Save(layer, Path.Combine(outDir, weights));
        figures.Add(new ReportFigure(weights, layer.Before is null
            ? "Distribution of the non-zero weights in the file (no --before checkpoint: the dense distribution is not shown)."
            : "Weight distribution before compression (grey) and the non-zero weights the file keeps after pruning (blue)."));
        if (layer.IsQuantized)
        {
            string centroids = $"{stem}-centroids.png";
            CentroidPlot.Save(layer, Path.Combine(outDir, centroids));
            figures.Add(new ReportFigure(centroids, "Quantization: the final shared weights (red lines) over the weights k-means clustered, " +
                "and where linear, density and random initialisation would have put the starting centroids."));
            var streams = SymbolStreams.Of(layer.Tensor);
            string codes = $"{stem}-codes.png";
            HuffmanStreamPlot.SaveWeightCodes(layer, streams, Path.Combine(outDir, codes));
            figures.Add(new ReportFigure(codes, "How often each weight code occurs: the skew Huffman coding exploits."));
            if (streams.RelativeIndices is not null)
            {
                string indices = $"{stem}-indices.png";
                HuffmanStreamPlot.SaveRelativeIndices(layer, streams, Path.Combine(outDir, indices));
                figures.Add(new ReportFigure(indices, "Sparse-index gaps: relative indices (zeros skipped before each entry), fillers included."));
            }
        }
        var s = layer.Section;
        string summary = $"{s.Encoding}, shape [{string.Join('×', s.Shape)}], {s.NonZeroCount:N0} of {s.ElementCount:N0} weights non-zero " +
            $"({100.0 * s.NonZeroCount / Math.Max(1, s.ElementCount):0.##}%)" +
            (s.CodebookSize > 0 ? $", {s.CodebookSize} shared weights" : "") +
            (s.Encoding == TensorEncoding.SparseQuantized ? $", {s.IndexBits}-bit relative indices with {s.FillerCount:N0} fillers" : "") +
            $"; {s.SectionBytes:N0} bytes vs {s.DenseBytes:N0} dense ({s.CompressionRatio:0.0}x).";
        return new HtmlPage.LayerSection(layer.Name, summary, figures);
    }

    /// <summary>A file-name-safe stem for a tensor name ("fire2.squeeze1x1.weight" → "fire2.squeeze1x1").</summary>
    private static string FileStem(string tensorName)
    {
        string name = tensorName.EndsWith(".weight", StringComparison.Ordinal) ? tensorName[..^".weight".Length] : tensorName;
        return string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
    }
}
