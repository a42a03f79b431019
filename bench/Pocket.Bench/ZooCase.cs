using Pocket.Format;
using Pocket.Training.Models;

namespace Pocket.Bench;

/// <summary>
/// One row of issue 16's table: a zoo model with random weights (seed 1, dense, as `pocket bench --model` makes it),
/// an input shape and a batch size. Written "squeezenet1_1 3x224x224 b1" or "mobilenet_v1:alpha=0.25 3x128x128 b64",
/// which is also how BenchmarkDotNet shows the parameter.
/// </summary>
public sealed record ZooCase(ModelSpec Spec, InputShape Input, int Batch)
{
    /// <summary>The table of issue 16 (bench/results/runtime.md): the compact models at 224, MobileNet α 0.25 at 128, dense LeNet-5.</summary>
    public static readonly string[] Table =
    [
        "mobilenet_v1:alpha=1.0 3x224x224 b1", "mobilenet_v1:alpha=1.0 3x224x224 b64",
        "mobilenet_v1:alpha=0.5 3x224x224 b1", "mobilenet_v1:alpha=0.25 3x224x224 b1",
        "mobilenet_v1:alpha=0.25 3x128x128 b1", "mobilenet_v1:alpha=0.25 3x128x128 b64",
        "squeezenet1_0 3x224x224 b1", "squeezenet1_1 3x224x224 b1", "sepnet 3x224x224 b1",
        "lenet5 1x28x28 b1", "lenet5 1x28x28 b64",
    ];

    public static ZooCase Parse(string text)
    {
        string[] parts = text.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith('b') || !int.TryParse(parts[2][1..], out int batch) || batch < 1)
            throw new ArgumentException($"zoo case '{text}': expected 'MODEL[:KEY=VALUE,…] CxHxW bN'");
        string[] model = parts[0].Split(':', 2);
        var options = model.Length == 1 ? new Dictionary<string, string>()
            : model[1].Split(',').Select(o => o.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        return new ZooCase(new ModelSpec(model[0], options), InputShape.Parse(parts[1]), batch);
    }

    /// <summary>Dense, random weights from torch seed 1, 1000 classes (10 for LeNet) as `pocket bench --model` has.</summary>
    public PocketModel Encode() =>
        RandomZooCheckpoint.Encode(Spec, Input, Spec.Name.StartsWith("lenet", StringComparison.Ordinal) ? 10 : 1000, seed: 1);
}
