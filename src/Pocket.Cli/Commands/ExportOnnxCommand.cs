using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket export-onnx IN --out MODEL.onnx`: the model as ONNX with dense float32 weights (what the compressed file
/// decodes to), for ONNX Runtime or any other ONNX consumer. IN is a .pocket file or a .ckpt checkpoint.
/// </summary>
public sealed class ExportOnnxCommand : Command<ExportOnnxCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] [Description("A .pocket file or a .ckpt checkpoint.")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] [Description("The .onnx file to write.")] public string? Out { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(s.Out)) throw new UsageException("--out: required (the .onnx file to write)");
        if (!File.Exists(s.In)) throw new InputException($"{s.In}: file not found");
        PocketModel model = PocketDecoder.IsPocketFile(s.In)
            ? PocketFile.Read(s.In)
            // A checkpoint goes through the encoder so its graph and quantized weights are exactly what a .pocket file would hold.
            : PocketEncoder.Encode(Checkpoint.Load(s.In));
        OnnxExportSummary summary;
        try { summary = OnnxExporter.Export(model, s.Out); }
        catch (OnnxExportException e) { throw new InputException($"{s.In}: {e.Message}"); }
        if (s.Json)
            Terminal.Json(new
            {
                File = s.Out, summary.Opset, summary.IrVersion, summary.Nodes, summary.Initializers,
                summary.InitializerBytes, Bytes = new FileInfo(s.Out).Length,
            });
        else
            Terminal.Out.WriteLine($"wrote {s.Out}: {summary.Nodes} nodes, {summary.Initializers} initializers, " +
                $"{summary.InitializerBytes:N0} bytes of float32 weights (opset {summary.Opset}, IR {summary.IrVersion})");
        return 0;
    }
}
