using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.Compression;

[Collection(TorchRandomness.Collection)]
public class QuantizationTests
{
    [Fact]
    public void Linear_initialisation_is_evenly_spaced_over_min_max()
    {
        float[] sorted = [-2f, -1f, 0.1f, 0.2f, 3f];
        var c = KMeans1D.Initialize(sorted, 6, CentroidInitialization.Linear, 1);
        Assert.Equal([-2, -1, 0, 1, 2, 3], c.Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void Density_initialisation_follows_the_cdf()
    {
        var sorted = Enumerable.Range(0, 1000).Select(i => (float)Math.Pow(i / 1000.0, 3)).ToArray();
        var c = KMeans1D.Initialize(sorted, 4, CentroidInitialization.Density, 1);
        // Quantile levels 1/8, 3/8, 5/8, 7/8 of a cubic: crowded near zero, where the mass is.
        Assert.Equal(sorted[125], c[0], 6);
        Assert.Equal(sorted[375], c[1], 6);
        Assert.Equal(sorted[875], c[3], 6);
        Assert.True(c[1] - c[0] < c[3] - c[2]);
    }

    [Fact]
    public void Random_initialisation_picks_distinct_weights_reproducibly()
    {
        var sorted = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var a = KMeans1D.Initialize(sorted, 8, CentroidInitialization.Random, 5);
        var b = KMeans1D.Initialize(sorted, 8, CentroidInitialization.Random, 5);
        Assert.Equal(a, b);
        Assert.Equal(8, a.Distinct().Count());
        Assert.All(a, v => Assert.Contains((float)v, sorted));
    }

    [Theory]
    [InlineData(CentroidInitialization.Linear)]
    [InlineData(CentroidInitialization.Density)]
    [InlineData(CentroidInitialization.Random)]
    public void KMeans_reaches_a_local_optimum(CentroidInitialization init)
    {
        var rng = new Random(11);
        var values = Enumerable.Range(0, 20000).Select(_ => (float)(rng.NextDouble() < 0.5 ? -1 : 1) * (float)Math.Abs(Normal(rng)) * 0.05f).ToArray();
        var fit = KMeans1D.Fit(values, 16, init, seed: 3);
        var c = fit.Centroids;
        Assert.True(c.Length is > 1 and <= 16);
        // Every point is assigned to its nearest centroid, and every centroid is the mean of its points.
        var sums = new double[c.Length];
        var counts = new int[c.Length];
        foreach (float v in values)
        {
            int k = KMeans1D.Nearest(c, v);
            for (int j = 0; j < c.Length; j++) Assert.True(Math.Abs(v - c[k]) <= Math.Abs(v - c[j]) + 1e-7);
            sums[k] += v;
            counts[k]++;
        }
        for (int k = 0; k < c.Length; k++) Assert.Equal(sums[k] / counts[k], c[k], 5);
    }

    [Fact]
    public void Centroid_gradient_is_the_per_cluster_sum_on_a_hand_example()
    {
        // Han et al. Figure 3: a 4×4 weight matrix with 4 clusters; the centroid gradient groups the weight gradients by index.
        long[] codes = [3, 0, 2, 1, 1, 1, 0, 3, 0, 3, 1, 0, 3, 1, 2, 2];
        float[] grads = [-0.03f, -0.01f, 0.03f, 0.02f, -0.01f, 0.01f, -0.02f, 0.12f, -0.01f, 0.02f, 0.04f, 0.01f, -0.07f, -0.02f, 0.01f, -0.02f];
        using var lin = nn.Linear(4, 4, hasBias: false);
        using (no_grad()) lin.weight!.copy_(zeros(4, 4));
        var constraint = new SharedWeightConstraint(learningRate: 1.0, momentum: 0.0);
        constraint.Add("w", lin.weight!, [2f, 1.5f, 0f, -1f], codes, ones(4, 4));
        lin.weight!.grad = tensor(grads).reshape(4, 4);
        constraint.BeforeStep();
        var expected = new double[4];
        for (int i = 0; i < 16; i++) expected[codes[i]] += grads[i];
        // Figure 3's grouped sums: cluster 0 → -0.01-0.02-0.01+0.01 = -0.03, ...
        Assert.Equal(-0.03, expected[0], 6);
        var updated = constraint.Codebook("w");
        float[] initial = [2f, 1.5f, 0f, -1f];
        for (int k = 0; k < 4; k++) Assert.Equal(initial[k] - expected[k], updated[k], 5);
        Assert.Equal(0f, lin.weight!.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void Fine_tuned_layers_hold_at_most_2_to_the_bits_values_and_zeros_stay_zero()
    {
        var data = TestData.MnistSlice(1500, 500);
        var trained = TrainingRun.Run(new ModelSpec("lenet300"), data, TrainingRecipes.For("lenet300") with { Epochs = 2, EvaluateEachEpoch = false });
        var pruned = PruningRun.Run(trained.Checkpoint, data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep("fc1=0.1,fc2=0.1,fc3=0.3"), Rounds = 1, Retrain = TrainingRecipes.Retraining("lenet300") with { Epochs = 1 },
        });
        var quantized = QuantizationRun.Run(pruned.Checkpoint, data, new QuantizationOptions
        {
            Bits = BitWidths.Parse("fc1=3,fc2=4,fc3=5"), FineTune = TrainingRecipes.Retraining("lenet300") with { Epochs = 1 },
        });
        foreach (var (layer, bits) in new[] { ("fc1", 3), ("fc2", 4), ("fc3", 5) })
        {
            string name = layer + ".weight";
            var w = quantized.Checkpoint.State[name].AsFloats();
            var mask = pruned.Checkpoint.Masks[name];
            Assert.True(w.Where(v => v != 0).Distinct().Count() <= 1 << bits);
            for (int i = 0; i < w.Length; i++)
                if (mask[i] == 0) Assert.Equal(0f, w[i]);
            // The stored codes rebuild the weights exactly.
            var q = quantized.Checkpoint.Quantization[name];
            for (int i = 0; i < w.Length; i++)
                if (mask[i] != 0) Assert.Equal(q.Codebook[q.Codes[i]], w[i]);
        }
        Assert.True(quantized.Test.Accuracy > pruned.Test.Accuracy - 0.05, $"{pruned.Test.Accuracy:P2} → {quantized.Test.Accuracy:P2}");
    }

    [Fact]
    public void Bit_spec_by_kind_and_by_name()
    {
        var bits = BitWidths.Parse("conv=8,fc=5,fc1=6");
        Assert.Equal(8, bits.For("conv2", 4));
        Assert.Equal(6, bits.For("fc1", 2));
        Assert.Equal(5, bits.For("fc2", 2));
        Assert.Null(BitWidths.Parse("fc1=6").For("fc2", 2));
        Assert.Throws<ArgumentException>(() => BitWidths.Parse("fc=17"));
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
