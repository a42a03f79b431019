using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket binarize IN.ckpt --out OUT.ckpt`: SEP-Nets' pattern binarization of every k×k conv (α·sign(W) per
/// filter), then fine-tuning with the patterns frozen or through a straight-through estimator.
/// </summary>
public sealed class BinarizeCommand : Command<BinarizeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--mode <frozen|ste>")]
        [Description("frozen (default; SEP-Nets' procedure): binary filters and α fixed, the rest trains. ste: latent weights through a straight-through estimator " +
            "(clearly better with --include-1x1, where no float conv is left to compensate). Measurements: bench/results/binarization.md.")]
        public string Mode { get; init; } = "frozen";

        [CommandOption("--include-1x1")] [Description("Binarize 1×1 convs too (ablation).")] public bool IncludePointwise { get; init; }
        [CommandOption("--keep-float <LAYERS>")]
        [Description("Comma-separated convs to leave in float although their kernel is larger than 1×1, or none. Default: the model's recipe (SEP-Net: conv1, its stem).")]
        public string? KeepFloat { get; init; }

        [CommandOption("--epochs <N>")] [Description("Fine-tuning epochs (0: none). Default: the model's binarization recipe (SEP-Net: 8).")] public int? Epochs { get; init; }
        [CommandOption("--lr <RATE>")] public double? LearningRate { get; init; }
        [CommandOption("--seed <S>")] public int Seed { get; init; } = 1;
        [CommandOption("--dataset <D>")] public string? Dataset { get; init; }
        [CommandOption("--limit <N>")] [Description("Fine-tune on the first N training images only.")] public int? Limit { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(s.Out)) throw new UsageException("--out: required (the binarized checkpoint to write)");
        var mode = s.Mode.ToLowerInvariant() switch
        {
            "frozen" => BinarizationMode.Frozen,
            "ste" => BinarizationMode.Ste,
            _ => throw new UsageException($"--mode: '{s.Mode}' is not frozen or ste"),
        };
        if (s.Limit is <= 0) throw new UsageException($"--limit: {s.Limit} must be positive");
        var input = Checkpoint.Load(s.In);
        var options = new BinarizationOptions
        {
            Mode = mode, IncludePointwise = s.IncludePointwise, TrainLimit = s.Limit,
            KeepFloat = s.KeepFloat is null ? BinarizationRecipe.KeepFloat(input.Model.Name)
                : s.KeepFloat.Trim() == "none" ? new HashSet<string>()
                : s.KeepFloat.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            FineTune = TrainingArguments.Apply(BinarizationRecipe.FineTune(input.Model.Name), s.Epochs, s.LearningRate, null, null, null, s.Seed, null),
        };
        var data = DatasetArgument.Load(s.Dataset, input, s.In);
        BinarizationRun.Result result;
        try
        {
            result = TrainingProgressView.Run($"binarize {input.Model}", s.Json, report =>
                BinarizationRun.Run(input, data, options, report, cancellationToken));
        }
        catch (ArgumentException e) { throw new InputException($"{s.In}: {e.Message}"); }
        result.Checkpoint.Save(s.Out);
        if (s.Json)
        {
            Terminal.Json(new
            {
                model = input.Model.ToString(), dataset = data.Name, samples = result.Test.Samples, mode = mode.ToString().ToLowerInvariant(),
                include_1x1 = s.IncludePointwise, keep_float = options.KeepFloat.Order(StringComparer.Ordinal), epochs = options.FineTune.Epochs, limit = s.Limit,
                float_accuracy = Math.Round(result.Float.Accuracy, 6), binarized_accuracy = Math.Round(result.Binarized.Accuracy, 6),
                accuracy = Math.Round(result.Test.Accuracy, 6), error = Math.Round(result.Test.Error, 6),
                layers = result.Layers.Select(l => new { name = l.Layer, shape = l.Shape, weights = l.Weights }),
            });
            return 0;
        }
        var table = new Table().AddColumn("layer").AddColumn("shape").AddColumn(new TableColumn("weights").RightAligned());
        foreach (var l in result.Layers) table.AddRow(l.Layer, string.Join('×', l.Shape), l.Weights.ToString("N0"));
        Terminal.Out.Write(table);
        Terminal.Out.WriteLine($"test accuracy: float {result.Float.Accuracy:P2}, binarized {result.Binarized.Accuracy:P2}, " +
            $"after {options.FineTune.Epochs} epoch(s) {mode.ToString().ToLowerInvariant()} fine-tuning {result.Test.Accuracy:P2} ({result.Test.Samples} samples)");
        Terminal.Out.WriteLine($"wrote {s.Out} in {result.WallTime.TotalSeconds:F1} s");
        return 0;
    }
}
