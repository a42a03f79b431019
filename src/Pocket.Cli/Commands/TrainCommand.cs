using System.ComponentModel;
using Pocket.Cli.Output;
using Spectre.Console;
using Pocket.Training.Data;
using Pocket.Training.Training;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket train`: train a zoo model with its default recipe (or overrides) and write a checkpoint.</summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--dataset <D>")]
        [Description("mnist, fashion-mnist, or a folder with the four IDX files.")]
        public string Dataset { get; init; } = "mnist";

        [CommandOption("--out <FILE>")]
        [Description("Checkpoint to write (atomically).")]
        public string? Out { get; init; }

        [CommandOption("--epochs <N>")] public int? Epochs { get; init; }
        [CommandOption("--lr <RATE>")] public double? LearningRate { get; init; }
        [CommandOption("--batch-size <N>")] public int? BatchSize { get; init; }
        [CommandOption("--weight-decay <L2>")] public double? WeightDecay { get; init; }
        [CommandOption("--optimizer <sgd|adam>")] public string? Optimizer { get; init; }
        [CommandOption("--shift <N>")] [Description(TrainingArguments.ShiftDescription)] public int? Shift { get; init; }
        [CommandOption("--seed <S>")] public int Seed { get; init; } = 1;

        [CommandOption("--limit <N>")]
        [Description("Train on the first N training images only.")]
        public int? Limit { get; init; }

        [CommandOption("--resume")]
        [Description(ResumableOutput.ResumeDescription)]
        public bool Resume { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        OutputArgument.Require(s.Out, "the checkpoint to write");
        var spec = s.ToSpec();
        var options = TrainingArguments.Apply(TrainingRecipes.For(spec), s.Epochs, s.LearningRate, s.BatchSize, s.WeightDecay, s.Optimizer, s.Seed, s.Shift);
        var data = DatasetCatalog.Load(s.Dataset);
        var result = TrainingProgressView.Run($"train {spec}", s.Json, report =>
            ResumableOutput.Run(s.Out, s.Resume,
                journal => TrainingRun.Run(spec, data, options, s.Limit, report, cancellationToken, journal),
                r => r.Checkpoint.Save(s.Out)));
        ResultPrinter.Evaluation(spec.ToString(), data.Name, result.Test, s.Json, $"wrote {s.Out} in {result.WallTime.TotalSeconds:F1} s");
        return 0;
    }
}
