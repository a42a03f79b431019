using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket inspect MODEL.pocket`: Han et al.'s per-layer table for the real file, and its size against dense.</summary>
public sealed class InspectCommand : Command<InspectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")] [Description("A .pocket file.")] public string File { get; init; } = "";
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(s.File)) throw new InputException($"{s.File}: file not found");
        var report = PocketFile.Inspect(s.File);
        if (s.Json) Terminal.Json(CompressionTable.Json(report));
        else Terminal.Out.Write(CompressionTable.Render(report));
        return 0;
    }
}
