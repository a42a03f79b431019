using System.ComponentModel;
using Pocket.Cli.Report;
using Pocket.Training.Checkpoints;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket report MODEL.pocket --out DIR`: an HTML page with plots of what each compression stage did to each layer.</summary>
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")] [Description("A .pocket file.")] public string File { get; init; } = "";

        [CommandOption("--before <CKPT>")]
        [Description("The dense checkpoint compression started from (weight distributions before pruning).")]
        public string? Before { get; init; }

        [CommandOption("--sensitivity <JSON>")]
        [Description("Output of `pocket sensitivity --json` (accuracy vs kept fraction per layer).")]
        public string? Sensitivity { get; init; }

        [CommandOption("--out <DIR>")] [Description("Folder for index.html and the PNGs (created if missing).")] public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(s.Out)) throw new UsageException("--out: required (the folder to write the report to)");
        if (!System.IO.File.Exists(s.File)) throw new InputException($"{s.File}: file not found");
        var before = s.Before is null ? null : Checkpoint.Load(s.Before);
        string index = ReportWriter.Write(s.File, before, s.Sensitivity, s.Out);
        Console.Out.WriteLine($"report: {index}");
        return 0;
    }
}
