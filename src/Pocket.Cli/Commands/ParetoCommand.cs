using System.ComponentModel;
using System.Globalization;
using System.Text;
using Pocket.Cli.Output;
using Pocket.Cli.Report;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Models;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket pareto A.pocket B.pocket … --out DIR`: measures each file — bytes on disk, dense float32 bytes, test error
/// with Pocket.Runtime on its dataset's test set (as `pocket run`) — and writes DIR/pareto.md (the table, front
/// marked) and DIR/pareto-MODEL.png per model (size against error, the front drawn). Every figure comes from the files.
/// </summary>
public sealed class ParetoCommand : Command<ParetoCommand.Settings>
{
    public const string TableFile = "pareto.md";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILES>")] [Description(".pocket files to compare.")] public string[] Files { get; init; } = [];
        [CommandOption("--out <DIR>")] [Description("Folder for pareto.md and a pareto-MODEL.png per model (created if missing).")] public string? Out { get; init; }
        [CommandOption("--dataset <D>")] [Description("Test set for every file (default: the one each file names).")] public string? Dataset { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(s.Out)) throw new UsageException("--out: required (the folder to write pareto.md and the plots to)");
        if (s.Files.Length == 0) throw new UsageException("give at least one .pocket file");
        foreach (var f in s.Files) if (!File.Exists(f)) throw new InputException($"{f}: file not found");
        var labels = s.Files.Select(f => Path.GetFileNameWithoutExtension(f)).ToList();
        if (labels.GroupBy(l => l).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"two files are named {twice.Key}: the plot labels each file by its name");

        var points = ParetoFront.Mark(s.Files.Select((f, i) => Measure(f, labels[i], s.Dataset, cancellationToken)));
        Directory.CreateDirectory(s.Out);
        var plots = points.GroupBy(p => p.Model).Select(g =>
        {
            string name = ParetoPlot.FileName(g.Key);
            ParetoPlot.Save(g.ToList(), Path.Combine(s.Out, name));
            return $"![{g.Key}: size against error]({name})";
        }).ToList();
        string table = Table(points);
        // The page last, so it never names a picture that is not there yet.
        AtomicFile.WriteAllBytes(Path.Combine(s.Out, TableFile), Encoding.UTF8.GetBytes($"{table}\n\n{string.Join("\n\n", plots)}\n"));
        if (s.Json)
            Terminal.Json(points.Select(p => new
            {
                file = p.Label, model = p.Model, file_bytes = p.FileBytes, dense_bytes = p.DenseBytes,
                ratio = Math.Round(p.Ratio, 3), test_error = Math.Round(p.TestError, 6), on_front = p.OnFront,
            }));
        else
        {
            Terminal.Out.WriteLine(table);
            Terminal.Out.WriteLine($"wrote {Path.Combine(s.Out, TableFile)} and {plots.Count} plot{(plots.Count == 1 ? "" : "s")}");
        }
        return 0;
    }

    private static ParetoPoint Measure(string file, string label, string? dataset, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        byte[] bytes = File.ReadAllBytes(file);
        var report = PocketFile.Inspect(bytes, file);
        var network = PocketNetwork.Load(file);
        var data = DatasetArgument.Load(dataset, network, file);
        var evaluation = RuntimeEvaluator.Evaluate(network, data.Test);
        string model = network.Metadata.GetValueOrDefault(ModelMetadata.Model) ?? "model";
        return new ParetoPoint(label, model, bytes.LongLength, report.DenseBytes, 1 - evaluation.Accuracy);
    }

    /// <summary>The Markdown table, smallest file first per model; front files in bold.</summary>
    public static string Table(IReadOnlyList<ParetoPoint> points)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | file | bytes | × smaller than dense float32 | test error | on the front |");
        text.AppendLine("|---|---|---:|---:|---:|:---:|");
        foreach (var p in points.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.FileBytes).ThenBy(p => p.TestError))
        {
            string b = p.OnFront ? "**" : "";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {p.Model} | {b}{p.Label}{b} | {p.FileBytes:N0} | {p.Ratio:0.0}× | {b}{100 * p.TestError:0.00} %{b} | {(p.OnFront ? "yes" : "")} |"));
        }
        return text.ToString().TrimEnd();
    }
}
