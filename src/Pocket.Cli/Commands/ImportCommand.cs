using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket import MODEL.onnx --out MODEL.pocket|MODEL.ckpt [--input CxHxW] [--labels FILE] [--dataset D]`: an ONNX model
/// trained elsewhere as a float32 .pocket file that Pocket.Runtime runs, or as a checkpoint that every command taking
/// one (eval, prune, quantize, encode, compress --from, …) rebuilds as a <see cref="GraphModule"/>. The file is written
/// only after the imported graph has loaded in the runtime (and, for a checkpoint, as a GraphModule), so a model either
/// would refuse never reaches the disk. <c>--dataset</c> names the data it is retrained and evaluated on, if it fits.
/// </summary>
public sealed class ImportCommand : Command<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")] [Description("The .onnx file.")] public string Model { get; init; } = "";
        [CommandOption("--out <FILE>")] [Description("The .pocket file or .ckpt checkpoint to write.")] public string? Out { get; init; }
        [CommandOption("--input <CxHxW>")] [Description("One input sample's shape, for inputs with symbolic sizes.")] public string? Input { get; init; }
        [CommandOption("--labels <FILE>")] [Description("Class names, one per line, stored in the file's metadata.")] public string? Labels { get; init; }
        [CommandOption("--dataset <D>")]
        [Description("The dataset the model takes (mnist, fashion-mnist, or an IDX folder), stored for retraining and evaluation.")]
        public string? Dataset { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }
    }

    private const string CheckpointExtension = ".ckpt";

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(s.Out)) throw new UsageException("--out: required (the .pocket file or .ckpt checkpoint to write)");
        bool checkpoint = s.Out.EndsWith(CheckpointExtension, StringComparison.OrdinalIgnoreCase);
        if (!checkpoint && !s.Out.EndsWith(PocketFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--out: '{s.Out}' must end in {PocketFile.Extension} or {CheckpointExtension}");
        (int, int, int)? input = null;
        if (s.Input is not null)
        {
            try
            {
                InputShape shape = InputShape.Parse(s.Input);
                input = (shape.Channels, shape.Height, shape.Width);
            }
            catch (ArgumentException e) { throw new UsageException($"--input: {e.Message}"); }
        }
        string[]? labels = null;
        if (s.Labels is not null)
        {
            if (!File.Exists(s.Labels)) throw new InputException($"--labels: {s.Labels}: file not found");
            labels = File.ReadAllLines(s.Labels).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        }
        if (!File.Exists(s.Model)) throw new InputException($"{s.Model}: file not found");

        PocketModel model;
        try { model = OnnxImporter.Import(s.Model, new OnnxImportOptions { InputShape = input, Labels = labels }); }
        catch (OnnxImportException e) { throw new InputException(e.Message); }

        PocketNetwork network;
        try { network = PocketNetwork.Load(model); }
        catch (PocketRuntimeException e) { throw new InputException($"{s.Model}: the imported graph does not load: {e.Message}"); }

        string dataset = "";
        if (s.Dataset is not null)
        {
            var shape = network.InputShape;
            var data = DatasetCatalog.Load(s.Dataset);
            if (DatasetFit.Problem(new InputShape(shape.Channels, shape.Height, shape.Width), network.OutputLength, data) is { } problem)
                throw new InputException($"--dataset {s.Dataset}: {problem}");
            dataset = data.Name;
        }
        if (checkpoint)
            ImportedCheckpoint.From(model, Path.GetFileName(s.Model), dataset).Save(s.Out);
        else
            PocketFile.Write(s.Out, dataset.Length == 0 ? model
                : model with { Metadata = new Dictionary<string, string>(model.Metadata) { [ModelMetadata.Dataset] = dataset } });

        long weights = model.Tensors.Values.Sum(t => t.ElementCount);
        if (s.Json)
            Terminal.Json(new
            {
                File = s.Out, Source = s.Model, Nodes = model.Graph.Nodes.Count, Tensors = model.Tensors.Count, Parameters = weights,
                Input = network.InputShape.ToString(), Output = network.OutputShape.ToString(), Bytes = new FileInfo(s.Out).Length,
            });
        else
            Terminal.Out.WriteLine($"wrote {s.Out}: {model.Graph.Nodes.Count} nodes, {weights:N0} parameters, input {network.InputShape}, "
                + $"output {network.OutputShape}, {new FileInfo(s.Out).Length:N0} bytes (from {new FileInfo(s.Model).Length:N0} bytes of ONNX)");
        return 0;
    }
}
