using Pocket.Format;
using Spectre.Console;

namespace Pocket.Cli.Output;

/// <summary>
/// Han et al.'s Table 2/3 for a real .pocket file, one row per tensor: weights, % kept, weight bits and index
/// bits after pruning + quantization (P+Q, fixed width) and after Huffman coding (P+Q+H, coded payload), and
/// the compression rate (P+Q: the fixed-width estimate; P+Q+H: the section's real bytes), then the file
/// against dense float32. Binary tensors (binarized conv filters) are stored raw, 1 bit per weight plus one float32 α
/// per filter: their two symbols are equally likely, so Huffman coding would gain nothing and is not applied.
/// </summary>
public static class CompressionTable
{
    public sealed record Row(string Name, long Weights, double Kept, double WeightBitsPq, double WeightBitsPqh,
        double IndexBitsPq, double IndexBitsPqh, double RatePq, double RatePqh, string Encoding, long SectionBytes,
        double? WeightEntropy, double? IndexEntropy)
    {
        public bool Binary => Encoding == nameof(TensorEncoding.Binary);

        /// <summary>Whether the weight (and index) stream may be Huffman coded: only codebook encodings have codes to code.</summary>
        public bool HuffmanApplies => Encoding is "SparseQuantized" or "QuantizedDense";
    }

    public static IReadOnlyList<Row> Rows(PocketFileReport report) => report.Tensors.Select(t =>
    {
        double kept = t.ElementCount == 0 ? 0 : (double)t.NonZeroCount / t.ElementCount;
        double pqBits = t.Encoding switch
        {
            TensorEncoding.Dense => t.ElementCount * 32.0,
            TensorEncoding.Binary => t.ElementCount + t.Shape[0] * 32.0,
            _ => t.EntryCount * (t.WeightBitsFixed + t.IndexBitsFixed) + t.CodebookSize * 32.0,
        };
        return new Row(t.Name, t.ElementCount, kept, t.WeightBitsFixed, t.WeightBitsHuffman, t.IndexBitsFixed, t.IndexBitsHuffman,
            t.ElementCount * 32.0 / Math.Max(1, pqBits), (double)t.DenseBytes / Math.Max(1, t.SectionBytes), t.Encoding.ToString(), t.SectionBytes,
            t.WeightCodes?.EntropyBitsPerSymbol, t.RelativeIndices?.EntropyBitsPerSymbol);
    }).ToList();

    public static Table Render(PocketFileReport report)
    {
        var table = new Table().AddColumn("layer").AddColumn(new TableColumn("#weights").RightAligned()).AddColumn(new TableColumn("kept").RightAligned())
            .AddColumn(new TableColumn("w bits P+Q").RightAligned()).AddColumn(new TableColumn("w bits P+Q+H").RightAligned())
            .AddColumn(new TableColumn("(entropy)").RightAligned())
            .AddColumn(new TableColumn("idx bits P+Q").RightAligned()).AddColumn(new TableColumn("idx bits P+Q+H").RightAligned())
            .AddColumn(new TableColumn("(entropy)").RightAligned())
            .AddColumn(new TableColumn("rate P+Q").RightAligned()).AddColumn(new TableColumn("rate P+Q+H").RightAligned())
            .AddColumn("encoding").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var r in Rows(report))
        {
            bool coded = r.Encoding is "SparseQuantized" or "QuantizedDense";
            bool sparse = r.Encoding == "SparseQuantized";
            table.AddRow(r.Name, r.Weights.ToString("N0"), r.Kept.ToString("P1"),
                r.WeightBitsPq.ToString("0.##"), r.WeightBitsPqh.ToString("0.##"), coded ? r.WeightEntropy!.Value.ToString("0.##") : "-",
                sparse ? r.IndexBitsPq.ToString("0") : "-", sparse ? r.IndexBitsPqh.ToString("0.##") : "-", sparse ? r.IndexEntropy!.Value.ToString("0.##") : "-",
                $"{r.RatePq:0.#}x", $"{r.RatePqh:0.#}x", r.Binary ? "Binary (1 bit, no Huffman)" : r.Encoding, r.SectionBytes.ToString("N0"));
        }
        string binaryNote = Rows(report).Any(r => r.Binary)
            ? "\nBinary: 1 bit per weight + a float32 α per filter, stored raw (Huffman coding does not apply to ±α signs)" : "";
        table.Caption($"file {report.FileBytes:N0} bytes vs dense float32 {report.DenseBytes:N0} bytes: {report.CompressionRatio:0.0}x smaller " +
            $"({100.0 / Math.Max(1e-9, report.CompressionRatio):0.00}% of dense); {report.TotalNonZeros:N0} of {report.TotalElements:N0} values non-zero" + binaryNote);
        return table;
    }

    public static object Json(PocketFileReport report) => new
    {
        file_bytes = report.FileBytes,
        dense_bytes = report.DenseBytes,
        ratio = Math.Round(report.CompressionRatio, 3),
        layers = LayersJson(report),
    };

    public static IEnumerable<object> LayersJson(PocketFileReport report) => Rows(report).Select(r => new
        {
            name = r.Name, weights = r.Weights, kept = Math.Round(r.Kept, 6),
            weight_bits_pq = Math.Round(r.WeightBitsPq, 4), weight_bits_pqh = Math.Round(r.WeightBitsPqh, 4),
            index_bits_pq = Math.Round(r.IndexBitsPq, 4), index_bits_pqh = Math.Round(r.IndexBitsPqh, 4),
            weight_entropy_bits = r.WeightEntropy is double we ? Math.Round(we, 4) : (double?)null,
            index_entropy_bits = r.IndexEntropy is double ie ? Math.Round(ie, 4) : (double?)null,
            rate_pq = Math.Round(r.RatePq, 3), rate_pqh = Math.Round(r.RatePqh, 3),
            encoding = r.Encoding, huffman_applies = r.HuffmanApplies, bytes = r.SectionBytes,
        });
}
