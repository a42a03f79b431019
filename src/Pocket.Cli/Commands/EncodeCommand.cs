using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket encode IN.ckpt --out MODEL.pocket`: write a checkpoint as a .pocket file.</summary>
public sealed class EncodeCommand : Command<EncodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--index-bits <B>")]
        [Description("Relative-index width for every sparse layer (default: the smallest file, per layer).")]
        public int? IndexBits { get; init; }

        [CommandOption("--coding <smallest|fixed|huffman>")] public string Coding { get; init; } = "smallest";
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        OutputArgument.Require(s.Out, "the .pocket file to write");
        if (s.IndexBits is < 1 or > 16) throw new UsageException($"--index-bits: {s.IndexBits} is not 1 to 16");
        var options = new PocketEncoder.Options(s.IndexBits, new PocketWriteOptions { StreamCoding = ParseCoding(s.Coding) });
        var checkpoint = Checkpoint.Load(s.In);
        PocketFile.Write(s.Out, PocketEncoder.Encode(checkpoint, options), options.Write);
        var report = PocketFile.Inspect(s.Out);
        if (s.Json) Terminal.Json(CompressionTable.Json(report));
        else
        {
            Terminal.Out.Write(CompressionTable.Render(report));
            Terminal.Out.WriteLine($"wrote {s.Out}");
        }
        return 0;
    }

    public static StreamCodingChoice ParseCoding(string coding) => coding.ToLowerInvariant() switch
    {
        "smallest" => StreamCodingChoice.Smallest,
        "fixed" => StreamCodingChoice.FixedWidth,
        "huffman" => StreamCodingChoice.Huffman,
        _ => throw new UsageException($"--coding: '{coding}' is not smallest, fixed or huffman"),
    };
}
