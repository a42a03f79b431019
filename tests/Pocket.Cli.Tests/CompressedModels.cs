using System.Text.Json;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Cli.Tests;

/// <summary>
/// Small but real .pocket files for the CLI tests, made once per test run through the Training API on a
/// slice of MNIST (one training epoch, no retraining or fine-tuning): LeNet-300-100 and the conv LeNet-5,
/// each with its trained checkpoint and a `pocket sensitivity --json` file.
/// </summary>
public static class CompressedModels
{
    public sealed record Model(string PocketPath, Checkpoint Trained, string SensitivityJson);

    private static readonly Lazy<DatasetSplit> Data = new(() =>
    {
        var mnist = DatasetCatalog.Load("mnist");
        return new DatasetSplit("mnist", mnist.Train.Take(1000), mnist.Test.Take(300));
    });

    private static readonly Lazy<Model> LeNet300Model = new(() => Make("lenet300", "fc1=0.1,fc2=0.1,fc3=0.3", "fc=5"));
    private static readonly Lazy<Model> LeNet5Model = new(() => Make("lenet5", "conv1=0.7,conv2=0.2,fc1=0.1,fc2=0.2", "conv=8,fc=5"));

    public static Model LeNet300 => LeNet300Model.Value;
    public static Model LeNet5 => LeNet5Model.Value;

    public static Model ByName(string name) => name switch { "lenet300" => LeNet300, "lenet5" => LeNet5, _ => throw new ArgumentException(name) };

    private static Model Make(string name, string keep, string bits)
    {
        var data = Data.Value;
        var trained = TrainingRun.Run(new ModelSpec(name), data, TrainingRecipes.For(name) with { Epochs = 1, EvaluateEachEpoch = false });
        var pruned = PruningRun.Run(trained.Checkpoint, data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep(keep), Rounds = 1, Retrain = TrainingRecipes.Retraining(name) with { Epochs = 0 },
        });
        var quantized = QuantizationRun.Run(pruned.Checkpoint, data, new QuantizationOptions
        {
            Bits = BitWidths.Parse(bits), FineTune = TrainingRecipes.Retraining(name) with { Epochs = 0 },
        });
        string folder = Directory.CreateTempSubdirectory($"pocket-report-{name}-").FullName;
        string pocket = Path.Combine(folder, $"{name}.pocket");
        PocketFile.Write(pocket, PocketEncoder.Encode(quantized.Checkpoint));

        // The same JSON shape `pocket sensitivity --json` prints.
        var curves = SensitivityAnalysis.Run(trained.Checkpoint, data.Test, [1.0, 0.5, 0.2, 0.1]);
        string json = Path.Combine(folder, "sensitivity.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new
        {
            model = name, dataset = "mnist",
            layers = curves.Select(c => new { name = c.Layer, weights = c.Weights, points = c.Points.Select(p => new { kept = p.Kept, accuracy = p.Accuracy }) }),
        }));
        return new Model(pocket, trained.Checkpoint, json);
    }
}
