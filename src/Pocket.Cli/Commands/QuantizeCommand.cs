using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket quantize IN.ckpt --out OUT.ckpt --bits …`: k-means weight sharing with centroid fine-tuning.</summary>
public sealed class QuantizeCommand : Command<QuantizeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--bits <SPEC>")]
        [Description("Bits per layer kind (conv=8,fc=5), per layer (fc1=6,...) or one number. Default conv=8,fc=5.")]
        public string Bits { get; init; } = "conv=8,fc=5";

        [CommandOption("--init <linear|density|random>")] public string Init { get; init; } = "linear";
        [CommandOption("--epochs <N>")] [Description("Fine-tuning epochs (0: none).")] public int? Epochs { get; init; }
        [CommandOption("--lr <RATE>")] public double? LearningRate { get; init; }
        [CommandOption("--distill <W>")] [Description(CompressionArguments.DistillDescription)] public double? Distill { get; init; }
        [CommandOption("--temperature <T>")] [Description("Distillation temperature (default 4).")] public double? Temperature { get; init; }
        [CommandOption("--shift <N>")] [Description(TrainingArguments.ShiftDescription)] public int? Shift { get; init; }
        [CommandOption("--seed <S>")] public int Seed { get; init; } = 1;
        [CommandOption("--dataset <D>")] public string? Dataset { get; init; }
        [CommandOption("--limit <N>")] public int? Limit { get; init; }
        [CommandOption("--resume")] [Description(ResumableOutput.ResumeDescription)] public bool Resume { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        OutputArgument.Require(s.Out, "the quantized checkpoint to write");
        var input = Checkpoint.Load(s.In);
        var options = CompressionArguments.Quantization(input.Model.Name, s.Bits, s.Init, s.Epochs, s.LearningRate, s.Seed, s.Limit, s.Shift);
        options = options with { FineTune = options.FineTune with { Distill = CompressionArguments.Distill(s.Distill, s.Temperature) } };
        var data = DatasetArgument.Load(s.Dataset, input, s.In);
        var result = TrainingProgressView.Run($"quantize {input.Model}", s.Json, report =>
            ResumableOutput.Run(s.Out, s.Resume,
                journal => QuantizationRun.Run(input, data, options, report, cancellationToken, journal),
                r => r.Checkpoint.Save(s.Out)));
        if (s.Json)
        {
            Terminal.Json(new
            {
                model = input.Model.ToString(), dataset = data.Name, samples = result.Test.Samples,
                accuracy = Math.Round(result.Test.Accuracy, 6), error = Math.Round(result.Test.Error, 6),
                layers = result.Layers.Select(l => new { name = l.Layer, bits = l.Bits, clusters = l.Clusters, weights = l.Weights, non_zero = l.NonZero, kmeans_iterations = l.KMeansIterations, kmeans_ms = Math.Round(l.KMeansMilliseconds, 1) }),
            });
            return 0;
        }
        var table = new Table().AddColumn("layer").AddColumn(new TableColumn("bits").RightAligned()).AddColumn(new TableColumn("clusters").RightAligned())
            .AddColumn(new TableColumn("non-zero").RightAligned()).AddColumn(new TableColumn("k-means iterations").RightAligned()).AddColumn(new TableColumn("k-means ms").RightAligned());
        foreach (var l in result.Layers) table.AddRow(l.Layer, l.Bits.ToString(), l.Clusters.ToString(), $"{l.NonZero:N0} / {l.Weights:N0}", l.KMeansIterations.ToString(), l.KMeansMilliseconds.ToString("F1"));
        Terminal.Out.Write(table);
        Terminal.Out.WriteLine($"wrote {s.Out} in {result.WallTime.TotalSeconds:F1} s; test error {result.Test.Error:P2} on {result.Test.Samples} samples");
        return 0;
    }
}
