using System.Net;
using System.Text;
using Pocket.Cli.Output;
using Pocket.Format;

namespace Pocket.Cli.Report;

/// <summary>
/// The report's index.html: one self-contained page (inline CSS, no scripts or fonts from the network) that
/// refers to its PNGs by relative path, so the folder can be zipped, mailed or opened offline. A small inline
/// script counts, once the page has loaded, how many pictures actually decoded and writes it into the page
/// (data-images-loaded on &lt;body&gt;), so a headless browser can check the page as a reader sees it.
/// </summary>
public static class HtmlPage
{
    public sealed record LayerSection(string Name, string Summary, IReadOnlyList<ReportFigure> Figures);

    public static string Render(string title, PocketFileReport report, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<ReportFigure> overview, IReadOnlyList<LayerSection> layers)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}}</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
            h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
            h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
            h3 { font-size: 1.1rem; margin-top: 2rem; }
            .meta { color: #555; margin-top: 0; }
            table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
            th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; }
            th { background: #f3f3f3; }
            td.n { text-align: right; white-space: nowrap; }
            caption { caption-side: bottom; text-align: left; padding-top: 0.4rem; color: #444; }
            .scroll { overflow-x: auto; }
            figure { margin: 1rem 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { color: #555; font-size: 0.9rem; }
            .check { color: #777; font-size: 0.8rem; }
            </style>
            </head>
            <body>
            <h1>{{E(title)}}</h1>

            """);
        html.Append($"<p class=\"meta\">{E(Meta(metadata))}</p>\n");
        html.Append(SummaryTable(report));
        html.Append("<h2>Overview</h2>\n");
        foreach (var figure in overview) html.Append(Figure(figure));
        foreach (var layer in layers)
        {
            html.Append($"<h2 id=\"{E(Anchor(layer.Name))}\">{E(layer.Name)}</h2>\n<p>{E(layer.Summary)}</p>\n");
            foreach (var figure in layer.Figures) html.Append(Figure(figure));
        }
        html.Append("""
            <p class="check" id="image-check">images: not checked (scripts off)</p>
            <script>
            window.addEventListener('load', function () {
              var images = Array.prototype.slice.call(document.images);
              var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
              document.body.setAttribute('data-images-total', String(images.length));
              document.body.setAttribute('data-images-loaded', String(loaded));
              document.getElementById('image-check').textContent = 'images: ' + loaded + ' of ' + images.length + ' loaded';
            });
            </script>
            </body>
            </html>

            """);
        return html.ToString();
    }

    /// <summary>The `pocket inspect` table with the same rows (<see cref="CompressionTable.Rows"/>), formats and caption.</summary>
    private static string SummaryTable(PocketFileReport report)
    {
        var html = new StringBuilder("<h2>Summary</h2>\n<div class=\"scroll\"><table>\n<thead><tr>");
        foreach (var h in new[] { "layer", "#weights", "kept", "w bits P+Q", "w bits P+Q+H", "(entropy)", "idx bits P+Q", "idx bits P+Q+H", "(entropy)", "rate P+Q", "rate P+Q+H", "encoding", "bytes" })
            html.Append($"<th>{E(h)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in CompressionTable.Rows(report))
        {
            bool coded = r.Encoding is "SparseQuantized" or "QuantizedDense";
            bool sparse = r.Encoding == "SparseQuantized";
            string[] cells =
            [
                r.Weights.ToString("N0"), r.Kept.ToString("P1"),
                r.WeightBitsPq.ToString("0.##"), r.WeightBitsPqh.ToString("0.##"), coded ? r.WeightEntropy!.Value.ToString("0.##") : "-",
                sparse ? r.IndexBitsPq.ToString("0") : "-", sparse ? r.IndexBitsPqh.ToString("0.##") : "-", sparse ? r.IndexEntropy!.Value.ToString("0.##") : "-",
                $"{r.RatePq:0.#}x", $"{r.RatePqh:0.#}x",
            ];
            html.Append($"<tr><td>{E(r.Name)}</td>");
            foreach (var c in cells) html.Append($"<td class=\"n\">{E(c)}</td>");
            html.Append($"<td>{E(r.Encoding)}</td><td class=\"n\">{E(r.SectionBytes.ToString("N0"))}</td></tr>\n");
        }
        html.Append("</tbody>\n");
        html.Append($"<caption>file {report.FileBytes:N0} bytes vs dense float32 {report.DenseBytes:N0} bytes: {report.CompressionRatio:0.0}x smaller " +
            $"({100.0 / Math.Max(1e-9, report.CompressionRatio):0.00}% of dense); {report.TotalNonZeros:N0} of {report.TotalElements:N0} values non-zero</caption>\n");
        html.Append("</table></div>\n");
        return html.ToString();
    }

    private static string Figure(ReportFigure f) =>
        $"<figure><img src=\"{E(Uri.EscapeDataString(f.FileName))}\" alt=\"{E(f.Caption)}\"><figcaption>{E(f.Caption)}</figcaption></figure>\n";

    private static string Meta(IReadOnlyDictionary<string, string> metadata)
    {
        var parts = new List<string>();
        foreach (var key in new[] { "model", "dataset", "input", "bits", "test_error" })
            if (metadata.TryGetValue(key, out var v) && v.Length > 0)
                parts.Add(key == "test_error" && double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out double e)
                    ? $"test error after quantization: {e:P2}" : $"{key}: {v}");
        return string.Join(" · ", parts);
    }

    private static string Anchor(string name) => "layer-" + name.Replace('.', '-');

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
