using Microsoft.ML.OnnxRuntime;

namespace Pocket.Onnx.Tests;

/// <summary>The committed ONNX fixtures and ONNX Runtime run on them: the reference an imported model must match.</summary>
internal static class ImportFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>Deterministic inputs in [0, 1), like image pixels.</summary>
    public static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>ONNX Runtime (CPU, one thread) on the original file, batch × <paramref name="shape"/>.</summary>
    public static float[] RunOrt(byte[] onnx, float[] input, long[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        string inputName = session.InputMetadata.Keys.Single(), outputName = session.OutputMetadata.Keys.Single();
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = session.Run(new RunOptions(), [inputName], [value], [outputName]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Largest |a − b| over the largest |b|: a relative error that a near-zero output cannot inflate.</summary>
    public static double MaxRelativeDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double diff = actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Max();
        return diff / Math.Max(scale, 1e-30);
    }
}
