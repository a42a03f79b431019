using Pocket.Cli.Output;
using Spectre.Console;
using Pocket.Training.Training;

namespace Pocket.Cli.Commands;

/// <summary>Prints an evaluation as a sentence, or as the one JSON object `--json` promises.</summary>
public static class ResultPrinter
{
    public static void Evaluation(string model, string dataset, Evaluation e, bool json, string? note = null)
    {
        if (json)
        {
            Terminal.Json(new { model, dataset, samples = e.Samples, accuracy = Math.Round(e.Accuracy, 6), error = Math.Round(e.Error, 6) });
            return;
        }
        if (note != null) Terminal.Out.WriteLine(note);
        Terminal.Out.WriteLine($"{model} on {dataset}: {e.Samples} test samples, accuracy {e.Accuracy:P2}, error {e.Error:P2}");
    }
}
