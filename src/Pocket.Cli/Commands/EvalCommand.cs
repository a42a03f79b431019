using System.ComponentModel;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Training;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket eval FILE`: test accuracy of a checkpoint, rebuilt from what the file says it is.</summary>
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("A .ckpt checkpoint or a .pocket file.")]
        public string File { get; init; } = "";

        [CommandOption("--dataset <D>")]
        [Description("Defaults to the dataset the model was trained on.")]
        public string? Dataset { get; init; }

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var checkpoint = PocketDecoder.LoadAny(s.File);
        using var model = ModuleState.Restore(checkpoint, s.File);
        var data = DatasetArgument.Load(s.Dataset, checkpoint, s.File);
        var evaluation = Evaluator.Evaluate(model, data.Test, checkpoint.Input);
        ResultPrinter.Evaluation(checkpoint.Model.ToString(), data.Name, evaluation, s.Json);
        return 0;
    }
}
