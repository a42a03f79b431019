using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket prune IN.ckpt --out OUT.ckpt`: iterative magnitude pruning with masked retraining.</summary>
public sealed class PruneCommand : Command<PruneCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")] public string In { get; init; } = "";
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--keep <SPEC>")]
        [Description("Kept fraction per layer (fc1=0.08,fc2=0.09), by kind (conv=0.5,fc=0.08) or global (0.08).")]
        public string? Keep { get; init; }

        [CommandOption("--quality <Q>")]
        [Description("Han et al.'s rule instead: prune |w| <= Q x std(layer).")]
        public double? Quality { get; init; }

        [CommandOption("--rounds <N>")] public int Rounds { get; init; } = 3;
        [CommandOption("--schedule <geometric|cubic>")] public string Schedule { get; init; } = "geometric";
        [CommandOption("--epochs <N>")] [Description("Retraining epochs per round.")] public int? Epochs { get; init; }
        [CommandOption("--lr <RATE>")] [Description("Retraining learning rate (default: a tenth of the recipe's).")] public double? LearningRate { get; init; }
        [CommandOption("--weight-decay <L2>")] public double? WeightDecay { get; init; }
        [CommandOption("--optimizer <sgd|adam>")] public string? Optimizer { get; init; }
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
        OutputArgument.Require(s.Out, "the pruned checkpoint to write");
        if (s.Rounds < 1) throw new UsageException($"--rounds: {s.Rounds} must be at least 1");
        var input = Checkpoint.Load(s.In);
        var options = CompressionArguments.Pruning(input.Model.Name, s.Keep, s.Quality, s.Rounds, s.Schedule,
            s.Epochs, s.LearningRate, s.WeightDecay, s.Optimizer, s.Seed, s.Limit, s.Shift);
        options = options with { Retrain = options.Retrain with { Distill = CompressionArguments.Distill(s.Distill, s.Temperature) } };
        CompressionArguments.CheckKeepLayers(options.Rule, () => ModuleState.Restore(input, s.In));
        var data = DatasetArgument.Load(s.Dataset, input, s.In);
        var result = TrainingProgressView.Run($"prune {input.Model}", s.Json, report =>
            ResumableOutput.Run(s.Out, s.Resume,
                journal => PruningRun.Run(input, data, options, report,
                    r => { if (!s.Json) Terminal.Err.WriteLine($"round {r.Round}/{r.Rounds}: kept {LayerSparsity.Total(r.Layers).KeptFraction:P2}, test error {r.TestError:P2}"); },
                    cancellationToken, journal),
                r => r.Checkpoint.Save(s.Out)));
        if (s.Json)
        {
            Terminal.Json(new
            {
                model = input.Model.ToString(), dataset = data.Name, samples = result.Test.Samples,
                accuracy = Math.Round(result.Test.Accuracy, 6), error = Math.Round(result.Test.Error, 6),
                kept = Math.Round(LayerSparsity.Total(result.Layers).KeptFraction, 6),
                layers = result.Layers.Select(l => new { name = l.Layer, weights = l.Weights, kept = l.Kept }),
            });
            return 0;
        }
        Terminal.Out.Write(SparsityTable(result.Layers));
        Terminal.Out.WriteLine($"wrote {s.Out} in {result.WallTime.TotalSeconds:F1} s; test error {result.Test.Error:P2} on {result.Test.Samples} samples");
        return 0;
    }

    public static Table SparsityTable(IReadOnlyList<LayerSparsity> layers)
    {
        var table = new Table().AddColumn("layer").AddColumn(new TableColumn("weights").RightAligned())
            .AddColumn(new TableColumn("kept").RightAligned()).AddColumn(new TableColumn("% kept").RightAligned());
        foreach (var l in layers.Append(LayerSparsity.Total(layers)))
            table.AddRow(l.Layer, l.Weights.ToString("N0"), l.Kept.ToString("N0"), l.KeptFraction.ToString("P2"));
        return table;
    }
}
