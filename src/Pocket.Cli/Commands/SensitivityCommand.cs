using System.ComponentModel;
using System.Globalization;
using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket sensitivity FILE.ckpt`: accuracy of each layer pruned alone at a range of kept fractions.</summary>
public sealed class SensitivityCommand : Command<SensitivityCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")] public string File { get; init; } = "";
        [CommandOption("--dataset <D>")] public string? Dataset { get; init; }

        [CommandOption("--levels <LIST>")]
        [Description("Kept fractions to try, comma-separated (default 1,0.8,...,0.01).")]
        public string? Levels { get; init; }

        [CommandOption("--limit <N>")]
        [Description("Measure on the first N test images (default all): a curve costs one evaluation per level.")]
        public int? Limit { get; init; }

        [CommandOption("--suggest <POINTS>")]
        [Description("Also print a --keep rule: per layer, the smallest level within POINTS percentage points of the unpruned accuracy.")]
        public double? Suggest { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var checkpoint = Checkpoint.Load(s.File);
        double[]? levels = s.Levels?.Split(',').Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is > 0 and <= 1
                ? d : throw new UsageException($"--levels: '{v}' is not a fraction in (0, 1]")).ToArray();
        if (s.Limit is < 1) throw new UsageException($"--limit: {s.Limit} is not a positive number");
        if (s.Suggest is { } loss && !(loss >= 0)) throw new UsageException($"--suggest: {loss} is not a number of points ≥ 0");
        if (s.Suggest is not null && levels is not null && !levels.Contains(1.0)) throw new UsageException("--suggest needs level 1 in --levels (the unpruned accuracy)");
        var data = DatasetArgument.Load(s.Dataset, checkpoint, s.File);
        var test = s.Limit is { } n && n < data.Test.Count ? data.Test.Take(n) : data.Test;
        var curves = SensitivityAnalysis.Run(checkpoint, test, levels,
            s.Json ? null : (layer, keep) => Terminal.Err.WriteLine($"{layer} at {keep:P0} kept"));
        string? suggested = s.Suggest is { } points ? KeepArgument(SensitivityAnalysis.SuggestKeep(curves, points)) : null;
        if (s.Json)
        {
            Terminal.Json(new
            {
                model = checkpoint.Model.ToString(), dataset = data.Name, test_images = test.Count,
                suggested_keep = suggested,
                layers = curves.Select(c => new { name = c.Layer, weights = c.Weights, points = c.Points.Select(p => new { kept = p.Kept, accuracy = Math.Round(p.Accuracy, 6) }) }),
            });
            return 0;
        }
        var table = new Table().AddColumn("kept");
        foreach (var c in curves) table.AddColumn(new TableColumn(c.Layer).RightAligned());
        for (int i = 0; i < curves[0].Points.Count; i++)
            table.AddRow(curves.Select(c => c.Points[i].Accuracy.ToString("P2")).Prepend(curves[0].Points[i].Kept.ToString("P0")).ToArray());
        Terminal.Out.Write(table);
        if (suggested is not null) Terminal.Out.WriteLine($"--keep {suggested}");
        return 0;
    }

    /// <summary>The rule as `--keep` takes it, layers in the curves' order, unpruned layers left out.</summary>
    private static string KeepArgument(Pocket.Training.Compression.PruningRule.PerLayer rule) =>
        string.Join(',', rule.Keep.Where(kv => kv.Value < 1).Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"));
}
