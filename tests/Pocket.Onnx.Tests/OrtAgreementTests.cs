using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx.Tests;

/// <summary>ONNX Runtime on the exported dense model computes what Pocket.Runtime computes on the compressed one.</summary>
public class OrtAgreementTests
{
    public static TheoryData<string> Models => ["lenet300", "lenet5", "convzoo"];

    private static PocketModel ModelNamed(string name) => name switch
    {
        "lenet300" => TestModels.LeNet300(),
        "lenet5" => TestModels.LeNet5(),
        "convzoo" => TestModels.ConvZoo(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Logits_agree_with_Pocket_Runtime(string name)
    {
        PocketModel model = ModelNamed(name);
        var network = PocketNetwork.Load(model);
        using var ort = new OrtRunner(model);
        const int batch = 3; // more than one sample: the batch dimension is symbolic
        var random = new Random(42);
        float[] input = Enumerable.Range(0, batch * network.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = new float[batch * network.OutputLength];
        network.Predict(input, batch, expected);

        var s = network.InputShape;
        float[] actual = ort.Run(input, batch, s.Channels, s.Height, s.Width);

        Assert.Equal(expected.Length, actual.Length);
        // Relative to the sample's largest logit, so a logit near zero does not demand an impossible precision.
        for (int b = 0; b < batch; b++)
        {
            var e = expected.AsSpan(b * network.OutputLength, network.OutputLength);
            var a = actual.AsSpan(b * network.OutputLength, network.OutputLength);
            float scale = Math.Max(1e-6f, e.ToArray().Max(MathF.Abs));
            for (int i = 0; i < e.Length; i++)
                Assert.True(MathF.Abs(e[i] - a[i]) <= 1e-4f * scale,
                    $"{name} sample {b} output {i}: pocket {e[i]}, ort {a[i]} (scale {scale})");
        }
    }

    [Fact]
    public void Relu6_and_global_pool_outputs_are_not_trivial()
    {
        // Guards the agreement test: a graph whose outputs were all equal would agree vacuously.
        var network = PocketNetwork.Load(TestModels.ConvZoo());
        float[] output = network.Predict(Enumerable.Range(0, network.InputLength).Select(i => (i % 7) / 7f).ToArray());
        Assert.True(output.Distinct().Count() > 5);
    }
}
