using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket encode IN.ckpt --out MODEL.pocket`: write a checkpoint as a .pocket file; `pocket encode IN.pocket`
/// encodes a .pocket file again, losslessly, with this writer's codings and options.
/// </summary>
public sealed class EncodeCommand : Command<EncodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--index-bits <B>")]
        [Description("Relative-index width for every sparse layer (default: the smallest file, per layer).")]
        public int? IndexBits { get; init; }

        [CommandOption("--coding <smallest|fixed|huffman|adaptive>")] public string Coding { get; init; } = "smallest";

        [CommandOption("--bias-bits <B>")]
        [Description("Store Linear/Conv2d biases as a 2^B-entry codebook instead of float32.")]
        public int? BiasBits { get; init; }

        [CommandOption("--batchnorm-bits <B>")]
        [Description("Store BatchNorm2d's scale and shift as a 2^B-entry codebook instead of float32.")]
        public int? BatchNormBits { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        OutputArgument.Require(s.Out, "the .pocket file to write");
        if (s.IndexBits is < 1 or > 16) throw new UsageException($"--index-bits: {s.IndexBits} is not 1 to 16");
        if (s.BiasBits is < 1 or > 16) throw new UsageException($"--bias-bits: {s.BiasBits} is not 1 to 16");
        if (s.BatchNormBits is < 1 or > 16) throw new UsageException($"--batchnorm-bits: {s.BatchNormBits} is not 1 to 16");
        var options = new PocketEncoder.Options(s.IndexBits, new PocketWriteOptions { StreamCoding = ParseCoding(s.Coding) }, s.BiasBits, BatchNormBits: s.BatchNormBits);
        var model = PocketDecoder.IsPocketFile(s.In)
            ? PocketEncoder.Reencode(PocketFile.Read(s.In), options)
            : PocketEncoder.Encode(Checkpoint.Load(s.In), options);
        PocketFile.Write(s.Out, model, options.Write);
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
        "adaptive" => StreamCodingChoice.AdaptiveBinary,
        _ => throw new UsageException($"--coding: '{coding}' is not smallest, fixed, huffman or adaptive"),
    };
}
