using System.ComponentModel;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket run MODEL.pocket`: test accuracy computed by Pocket.Runtime (no TorchSharp), same JSON as eval.</summary>
public sealed class RunCommand : Command<RunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")] public string File { get; init; } = "";
        [CommandOption("--dataset <D>")] public string? Dataset { get; init; }
        [CommandOption("--threads <N>")] [Description("Threads per prediction (default 1).")] public int Threads { get; init; } = 1;
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(s.File)) throw new InputException($"{s.File}: file not found");
        var network = PocketNetwork.Load(s.File, new PocketNetworkOptions { MaxDegreeOfParallelism = Math.Max(1, s.Threads) });
        var data = DatasetArgument.Load(s.Dataset, network, s.File);
        var evaluation = RuntimeEvaluator.Evaluate(network, data.Test);
        ResultPrinter.Evaluation(network.Metadata.GetValueOrDefault(ModelMetadata.Model) ?? s.File, data.Name, evaluation, s.Json);
        return 0;
    }
}

/// <summary>
/// Runs a Pocket.Runtime network over a test set, batch by batch, with the same input layout as training: each image
/// through the data's preprocessing (the file's, attached when the data was loaded), by the same Batches.CopyImage.
/// </summary>
public static class RuntimeEvaluator
{
    public static Evaluation Evaluate(PocketNetwork network, ImageDataset data, int batch = 64)
    {
        var shape = network.InputShape;
        var input = new InputShape(shape.Channels, shape.Height, shape.Width);
        int classes = network.OutputLength;
        var inputs = new float[batch * input.Size];
        var logits = new float[batch * classes];
        var predictions = new int[data.Count];
        int correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int n = Math.Min(batch, data.Count - start);
            for (int i = 0; i < n; i++) Batches.CopyImage(data, start + i, input, inputs.AsSpan(i * input.Size, input.Size));
            network.Predict(inputs.AsSpan(0, n * input.Size), n, logits.AsSpan(0, n * classes));
            for (int i = 0; i < n; i++)
            {
                var row = logits.AsSpan(i * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                predictions[start + i] = best;
                if (best == data.Labels[start + i]) correct++;
            }
        }
        return new Evaluation(data.Count, correct, predictions);
    }
}
