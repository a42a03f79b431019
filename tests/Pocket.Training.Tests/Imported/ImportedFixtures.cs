using Pocket.Format;
using Pocket.Onnx;
using Pocket.Training.Checkpoints;

namespace Pocket.Training.Tests.Imported;

/// <summary>The committed PyTorch-exported ONNX fixtures (tests/Pocket.Onnx.Tests/Fixtures), imported as Pocket graphs.</summary>
internal static class ImportedFixtures
{
    /// <summary>Every fixture: an MLP, a CNN with BatchNorm, a residual block with Concat, LeakyRelu and Sigmoid; opsets 11 to 17.</summary>
    public static readonly string[] Names =
    [
        "mlp_opset11.onnx", "bn_cnn_opset11.onnx", "bn_cnn_opset13.onnx", "residual_concat_opset13.onnx",
        "residual_concat_opset17.onnx", "activations_opset13.onnx",
    ];

    public static TheoryData<string> All => new(Names);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static PocketModel Import(string name) => OnnxImporter.Import(PathOf(name));

    public static Checkpoint Checkpoint(string name, string dataset = "") => ImportedCheckpoint.From(Import(name), name, dataset);

    /// <summary>Deterministic inputs in [0, 1), like image pixels.</summary>
    public static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Largest |a − b| over the largest |b|: a relative error that a near-zero output cannot inflate.</summary>
    public static double MaxRelativeDifference(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = expected.Max(Math.Abs);
        double diff = actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        return diff / Math.Max(scale, 1e-30);
    }
}
