using System.ComponentModel;
using System.Globalization;
using Pocket.Cli.Output;
using Pocket.Training.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket summary`: per-layer output shape, parameters and mult-adds of a zoo model, read from its exported graph
/// (what the runtime would run), at ImageNet settings unless told otherwise. What is counted: docs/models.md.
/// </summary>
public sealed class SummaryCommand : Command<SummaryCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--input <CxHxW>")]
        [Description("Input shape. Default 3×R×R, R = the resolution option or 224.")]
        public string? Input { get; init; }

        [CommandOption("--classes <K>")]
        [Description("Number of classes (default 1000).")]
        public int Classes { get; init; } = 1000;

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var spec = s.ToSpec();
        if (s.Classes <= 0) throw new UsageException($"--classes: {s.Classes} must be positive");
        InputShape input;
        try
        {
            int resolution = ModelOption.Resolution.ReadInteger(spec) is > 0 and var r ? r : 224;
            input = s.Input != null ? InputShape.Parse(s.Input) : new InputShape(3, resolution, resolution);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UsageException($"--input: {e.Message}");
        }

        ModelSummary summary;
        using (var model = ModelZoo.Create(spec, input, s.Classes)) summary = ModelSummary.Of(model.ExportGraph());

        if (s.Json)
        {
            Terminal.Json(new
            {
                model = spec.ToString(),
                input = input.ToString(),
                classes = s.Classes,
                @params = summary.Parameters,
                weights = summary.Weights,
                mult_adds = summary.MultAdds,
                layers = summary.Layers.Skip(1).Select(l => new
                {
                    name = l.Name,
                    op = l.Op.ToString(),
                    output = l.OutputShape,
                    @params = l.Parameters,
                    weights = l.Weights,
                    mult_adds = l.MultAdds,
                }),
            });
            return 0;
        }

        var table = new Table().Border(TableBorder.Simple).Title($"{spec} on {input}, {s.Classes} classes");
        table.AddColumn(new TableColumn("layer").NoWrap());
        table.AddColumn(new TableColumn("op").NoWrap());
        table.AddColumn(new TableColumn("output").NoWrap());
        table.AddColumn(new TableColumn("params").RightAligned());
        table.AddColumn(new TableColumn("weights").RightAligned());
        table.AddColumn(new TableColumn("mult-adds").RightAligned());
        foreach (var l in summary.Layers.Skip(1))
            table.AddRow(Markup.Escape(l.Name), l.Op.ToString(), l.Shape, Count(l.Parameters), Count(l.Weights), Count(l.MultAdds));
        table.AddEmptyRow();
        table.AddRow("[bold]total[/]", "", "", $"[bold]{Count(summary.Parameters)}[/]", $"[bold]{Count(summary.Weights)}[/]", $"[bold]{Count(summary.MultAdds)}[/]");
        // Dotted layer names make the table wider than the 80 columns Spectre assumes when stdout is not a terminal.
        if (Console.IsOutputRedirected) Terminal.Out.Profile.Width = Math.Max(Terminal.Out.Profile.Width, 120);
        Terminal.Out.Write(table);
        Terminal.Out.WriteLine(
            $"params {Count(summary.Parameters)} (all learnable), weights {Count(summary.Weights)} (conv + fc), " +
            $"mult-adds {(summary.MultAdds / 1e6).ToString("F1", CultureInfo.InvariantCulture)} M (conv + fc)");
        return 0;
    }

    private static string Count(long n) => n == 0 ? "" : n.ToString("N0", CultureInfo.InvariantCulture);
}
