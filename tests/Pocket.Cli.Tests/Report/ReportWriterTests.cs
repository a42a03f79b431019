using Pocket.Cli.Report;
using Pocket.Format;

namespace Pocket.Cli.Tests.Report;

/// <summary>`pocket report` on a fully connected and a conv model: every figure is there, decodes and shows something.</summary>
public class ReportWriterTests
{
    [Theory]
    [InlineData("lenet300")]
    [InlineData("lenet5")]
    public void The_report_renders_every_figure_and_the_page_refers_only_to_files_that_exist(string name)
    {
        var model = CompressedModels.ByName(name);
        string dir = Path.Combine(Directory.CreateTempSubdirectory("pocket-report-out-").FullName, "nested", "report");
        string index = ReportWriter.Write(model.PocketPath, model.Trained, model.SensitivityJson, dir);

        Assert.Equal(Path.Combine(dir, "index.html"), index);
        string html = File.ReadAllText(index);
        var sources = ReportPages.ImageSources(html);
        var report = PocketFile.Inspect(model.PocketPath);
        var layers = report.Tensors.Where(t => t.Name.EndsWith(".weight") && t.Shape.Length >= 2).ToList();
        Assert.NotEmpty(layers);
        var expected = new List<string> { "bits-per-stage.png", "sensitivity.png" };
        foreach (var t in layers)
        {
            string stem = t.Name[..^".weight".Length];
            expected.Add($"{stem}-weights.png");
            if (t.Encoding is TensorEncoding.SparseQuantized or TensorEncoding.QuantizedDense) expected.AddRange([$"{stem}-centroids.png", $"{stem}-codes.png"]);
            if (t.Encoding == TensorEncoding.SparseQuantized) expected.Add($"{stem}-indices.png");
        }
        Assert.Equal(expected.Order(), sources.Order());
        foreach (var src in sources)
        {
            Assert.False(Path.IsPathRooted(src) || src.Contains(".."), $"{src}: not a relative path inside the report");
            string file = Path.Combine(dir, src);
            Assert.True(File.Exists(file), $"{src}: referenced by index.html but missing");
            ReportPages.AssertNotBlank(file);
        }
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public void The_summary_table_shows_the_numbers_of_pocket_inspect()
    {
        var model = CompressedModels.LeNet300;
        string dir = Directory.CreateTempSubdirectory("pocket-report-table-").FullName;
        string html = File.ReadAllText(ReportWriter.Write(model.PocketPath, null, null, dir));
        var report = PocketFile.Inspect(model.PocketPath);
        foreach (var row in Pocket.Cli.Output.CompressionTable.Rows(report))
        {
            Assert.Contains($"<td>{row.Name}</td>", html);
            Assert.Contains($">{row.Weights:N0}<", html);
            Assert.Contains($">{row.RatePqh:0.#}x<", html);
            Assert.Contains($">{row.SectionBytes:N0}<", html);
        }
        Assert.Contains($"file {report.FileBytes:N0} bytes vs dense float32 {report.DenseBytes:N0} bytes: {report.CompressionRatio:0.0}x smaller", html);
        Assert.DoesNotContain("sensitivity.png", html); // no --sensitivity, no curves
    }

    [Fact]
    public void Writing_again_replaces_the_report_in_place()
    {
        var model = CompressedModels.LeNet300;
        string dir = Directory.CreateTempSubdirectory("pocket-report-again-").FullName;
        ReportWriter.Write(model.PocketPath, model.Trained, null, dir);
        string index = ReportWriter.Write(model.PocketPath, model.Trained, null, dir);
        Assert.All(ReportPages.ImageSources(File.ReadAllText(index)), src => Assert.True(File.Exists(Path.Combine(dir, src))));
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void The_symbol_streams_rebuilt_for_the_plots_match_what_the_file_codes()
    {
        var model = CompressedModels.LeNet5;
        var file = PocketFile.Read(model.PocketPath);
        foreach (var t in PocketFile.Inspect(model.PocketPath).Tensors.Where(t => t.Encoding == TensorEncoding.SparseQuantized))
        {
            var streams = SymbolStreams.Of(file.Tensors[t.Name]);
            Assert.Equal(t.EntryCount, streams.RelativeIndices!.Length);
            Assert.Equal(t.FillerCount, streams.WeightSymbols.Count(s => s == 0));
            Assert.Equal(t.WeightCodes!.DistinctSymbols, streams.WeightSymbols.Distinct().Count());
            Assert.Equal(t.RelativeIndices!.DistinctSymbols, streams.RelativeIndices.Distinct().Count());
        }
    }
}
