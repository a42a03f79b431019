using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;
using Pocket.Runtime.Input;
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
/// would refuse never reaches the disk. <c>--dataset</c> names the data it is retrained and evaluated on, if it fits;
/// <c>--scale</c>, <c>--mean</c>, <c>--std</c>, <c>--channel-order</c> and <c>--resize</c> the preprocessing it was trained
/// with (<see cref="Preprocessing"/>), stored in the file's metadata and applied by every command after.
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
        [Description("The dataset the model takes (mnist, fashion-mnist, an IDX folder, or an image folder DIR/train/CLASS/*.png and DIR/test/CLASS/...), stored for retraining and evaluation.")]
        public string? Dataset { get; init; }

        [CommandOption("--scale <S>")]
        [Description("The preprocessing the model was trained with, stored in the file and applied by every command: what a white pixel " +
            "is before normalisation (default 1; 255 for a model trained on 0-255 pixels).")]
        public string? Scale { get; init; }

        [CommandOption("--mean <M>")] [Description("Subtracted after scaling: one value, or one per channel (a,b,c in the model's channel order; default 0).")]
        public string? Mean { get; init; }

        [CommandOption("--std <S>")] [Description("Divides after the mean: one positive value, or one per channel (default 1).")]
        public string? Std { get; init; }

        [CommandOption("--channel-order <rgb|bgr>")] [Description("The colour order the model expects (default rgb; gray images go into every channel).")]
        public string? ChannelOrder { get; init; }

        [CommandOption("--resize <pad|bilinear>")]
        [Description("How an image of another size becomes the input: pad (default: centred in zeros, no larger than the input) or bilinear (to H×W).")]
        public string? Resize { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }

        /// <summary>
        /// The preprocessing options by metadata key, for <see cref="Preprocessing.Parse"/>; a key no option gives is
        /// taken from <paramref name="stored"/> (the preprocessing an ONNX file from `pocket export-onnx` carries), and
        /// an error then names that key in <paramref name="file"/>.
        /// </summary>
        public Preprocessing PreprocessingFor(int? channels, IReadOnlyDictionary<string, string>? stored = null, string file = "")
        {
            string? Option(string key) => key switch
            {
                ModelMetadata.PreprocessScale => Scale,
                ModelMetadata.PreprocessMean => Mean,
                ModelMetadata.PreprocessStd => Std,
                ModelMetadata.PreprocessChannelOrder => ChannelOrder,
                ModelMetadata.PreprocessResize => Resize,
                _ => null,
            };
            return Preprocessing.Parse(key => Option(key) ?? stored?.GetValueOrDefault(key),
                key => Option(key) is not null ? "--" + key["preprocess.".Length..] : $"{file}: metadata {key}", channels);
        }
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
        // The options' syntax is checked before a large model is parsed; their counts once its channels are known.
        try { s.PreprocessingFor(channels: null); }
        catch (PreprocessingException e) { throw new UsageException(e.Message); }
        if (!File.Exists(s.Model)) throw new InputException($"{s.Model}: file not found");

        PocketModel model;
        try { model = OnnxImporter.Import(s.Model, new OnnxImportOptions { InputShape = input, Labels = labels }); }
        catch (OnnxImportException e) { throw new InputException(e.Message); }

        PocketNetwork network;
        try { network = PocketNetwork.Load(model); }
        catch (PocketRuntimeException e) { throw new InputException($"{s.Model}: the imported graph does not load: {e.Message}"); }

        Preprocessing preprocessing;
        try { preprocessing = s.PreprocessingFor(network.InputShape.Channels, model.Metadata, s.Model); }
        catch (PreprocessingException e) when (e.Message.StartsWith("--", StringComparison.Ordinal)) { throw new UsageException(e.Message); }
        catch (PreprocessingException e) { throw new InputException(e.Message); }
        var metadata = new Dictionary<string, string>(model.Metadata);
        preprocessing.WriteTo(metadata);

        string dataset = "";
        if (s.Dataset is not null)
        {
            var shape = network.InputShape;
            var modelInput = new InputShape(shape.Channels, shape.Height, shape.Width);
            var data = DatasetCatalog.Load(s.Dataset, modelInput, preprocessing);
            if (DatasetFit.Problem(modelInput, network.OutputLength, data) is { } problem)
                throw new InputException($"--dataset {s.Dataset}: {problem}");
            dataset = data.Name;
            // A .pocket file names it in its metadata; a checkpoint in its own header field.
            if (!checkpoint) metadata[ModelMetadata.Dataset] = dataset;
            // An image folder's classes are its subfolders: stored as --labels would be, unless --labels named them.
            if (labels is null && data.Train.ClassNames is { } names) metadata[ModelMetadata.Labels] = ModelMetadata.EncodeLabels(names);
        }
        // Unchanged when no option added a key, so such an import writes the bytes it always did.
        if (metadata.Count != model.Metadata.Count || metadata.Any(kv => model.Metadata.GetValueOrDefault(kv.Key) != kv.Value))
            model = model with { Metadata = metadata };
        if (checkpoint)
            ImportedCheckpoint.From(model, Path.GetFileName(s.Model), dataset).Save(s.Out);
        else
            PocketFile.Write(s.Out, model);

        long weights = model.Tensors.Values.Sum(t => t.ElementCount);
        if (s.Json)
            Terminal.Json(new
            {
                File = s.Out, Source = s.Model, Nodes = model.Graph.Nodes.Count, Tensors = model.Tensors.Count, Parameters = weights,
                Input = network.InputShape.ToString(), Output = network.OutputShape.ToString(), Bytes = new FileInfo(s.Out).Length,
                Preprocessing = preprocessing.IsDefault ? null : preprocessing.ToString(),
            });
        else
            Terminal.Out.WriteLine($"wrote {s.Out}: {model.Graph.Nodes.Count} nodes, {weights:N0} parameters, input {network.InputShape}, "
                + $"output {network.OutputShape}, {new FileInfo(s.Out).Length:N0} bytes (from {new FileInfo(s.Model).Length:N0} bytes of ONNX)"
                + (preprocessing.IsDefault ? "" : $"; preprocessing: {preprocessing}"));
        return 0;
    }
}
