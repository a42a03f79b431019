using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Binarization;

[Collection(TorchRandomness.Collection)]
public class BinarizationTests
{
    // A small SEP-Net on MNIST's 28×28: conv1, conv2 and every PRB pattern conv are 3×3; the rest is 1×1 or fc.
    private static readonly ModelSpec SmallSepNet = new("sepnet", new Dictionary<string, string> { ["width"] = "0.3" });

    private static Checkpoint RandomSepNet()
    {
        TorchSharp.torch.manual_seed(3);
        using var model = ModelZoo.Create(SmallSepNet, new InputShape(1, 28, 28), 10);
        return ModuleState.Capture(model, "mnist");
    }

    private static DatasetSplit Data => TestData.MnistSlice(128, 32);

    private static BinarizationRun.Result Binarize(Checkpoint input, BinarizationMode mode, int epochs, bool includePointwise = false) =>
        BinarizationRun.Run(input, Data, new BinarizationOptions
        {
            Mode = mode, IncludePointwise = includePointwise,
            FineTune = TrainingRecipes.Retraining("sepnet") with { Epochs = epochs, BatchSize = 64 },
        });

    private static bool IsSpatialConv(CheckpointTensor t) => t.Shape.Length == 4 && t.Shape[2] * t.Shape[3] > 1;

    /// <summary>Every value of filter f is exactly +α_f or −α_f.</summary>
    private static void AssertPlusMinusAlpha(string name, float[] weights, float[] alpha)
    {
        int perFilter = weights.Length / alpha.Length;
        for (int i = 0; i < weights.Length; i++)
        {
            float a = alpha[i / perFilter];
            if (weights[i] != a && weights[i] != -a) Assert.Fail($"{name}[{i}] = {weights[i]:R}, not ±{a:R}");
        }
    }

    [Fact]
    public void Every_kxk_filter_becomes_plus_minus_its_mean_magnitude_and_the_rest_stays_float()
    {
        var input = RandomSepNet();
        var result = Binarize(input, BinarizationMode.Frozen, epochs: 0);
        var output = result.Checkpoint;

        var spatial = input.State.Where(kv => kv.Key.EndsWith(".weight") && IsSpatialConv(kv.Value)).Select(kv => kv.Key).ToHashSet();
        Assert.Contains("conv1.weight", spatial);
        Assert.Contains("sep1_1.prb1.pattern.weight", spatial);
        Assert.Equal(spatial.OrderBy(n => n), output.Binarization.Keys.OrderBy(n => n));
        foreach (var name in spatial)
        {
            float[] original = input.State[name].AsFloats(), binarized = output.State[name].AsFloats(), alpha = output.Binarization[name];
            Assert.Equal(input.State[name].Shape[0], alpha.Length);
            AssertPlusMinusAlpha(name, binarized, alpha);
            int perFilter = original.Length / alpha.Length;
            for (int f = 0; f < alpha.Length; f++)
            {
                var filter = original.AsSpan(f * perFilter, perFilter).ToArray();
                double meanMagnitude = filter.Average(w => Math.Abs((double)w));
                Assert.True(Math.Abs(alpha[f] - meanMagnitude) <= 1e-6 * meanMagnitude, $"{name} filter {f}: α {alpha[f]} vs mean |W| {meanMagnitude}");
                for (int i = 0; i < perFilter; i++) // the sign of each weight is kept, with sign(0) = +1
                    Assert.Equal(filter[i] >= 0, binarized[f * perFilter + i] > 0);
            }
        }
        // 1×1 convs, fc and everything else: bit for bit what came in.
        foreach (var (name, t) in input.State.Where(kv => !spatial.Contains(kv.Key)))
            Assert.Equal(t.Data, output.State[name].Data);
        Assert.Contains(input.State.Keys, n => n.EndsWith("transform.weight"));
        Assert.Equal("binarized", output.Metadata["stage"]);
        Assert.Equal(result.Binarized.Accuracy, result.Test.Accuracy);
    }

    [Fact]
    public void Frozen_fine_tuning_keeps_the_binary_filters_and_trains_the_rest()
    {
        var input = RandomSepNet();
        var before = Binarize(input, BinarizationMode.Frozen, epochs: 0).Checkpoint;
        var after = Binarize(input, BinarizationMode.Frozen, epochs: 1).Checkpoint;
        foreach (var (name, alpha) in before.Binarization)
        {
            Assert.Equal(before.State[name].Data, after.State[name].Data);
            Assert.Equal(alpha, after.Binarization[name]);
        }
        Assert.NotEqual(before.State["sep1_1.prb1.transform.weight"].Data, after.State["sep1_1.prb1.transform.weight"].Data);
        Assert.NotEqual(before.State["fc.weight"].Data, after.State["fc.weight"].Data);
        Assert.NotEqual(before.State["conv1_bn.weight"].Data, after.State["conv1_bn.weight"].Data);
    }

    [Fact]
    public void Straight_through_fine_tuning_keeps_every_filter_at_plus_minus_alpha_while_alpha_moves()
    {
        var input = RandomSepNet();
        var before = Binarize(input, BinarizationMode.Ste, epochs: 0).Checkpoint;
        var after = Binarize(input, BinarizationMode.Ste, epochs: 1).Checkpoint;
        Assert.Equal(before.Binarization.Keys.OrderBy(n => n), after.Binarization.Keys.OrderBy(n => n));
        bool anyScaleMoved = false;
        foreach (var (name, alpha) in after.Binarization)
        {
            AssertPlusMinusAlpha(name, after.State[name].AsFloats(), alpha);
            anyScaleMoved |= !alpha.SequenceEqual(before.Binarization[name]);
        }
        Assert.True(anyScaleMoved, "no α changed during straight-through fine-tuning");
        Assert.Equal("ste", after.Metadata["binarization"]);
    }

    [Fact]
    public void Include_1x1_binarizes_pointwise_convs_too_but_never_fc()
    {
        var input = RandomSepNet();
        var output = Binarize(input, BinarizationMode.Frozen, epochs: 0, includePointwise: true).Checkpoint;
        var convs = input.State.Where(kv => kv.Key.EndsWith(".weight") && kv.Value.Shape.Length == 4).Select(kv => kv.Key).OrderBy(n => n);
        Assert.Equal(convs, output.Binarization.Keys.OrderBy(n => n));
        AssertPlusMinusAlpha("sep1_1.reduce.weight", output.State["sep1_1.reduce.weight"].AsFloats(), output.Binarization["sep1_1.reduce.weight"]);
        Assert.Equal(input.State["fc.weight"].Data, output.State["fc.weight"].Data);
    }

    [Fact]
    public void Keep_float_leaves_the_named_kxk_convs_float_and_refuses_a_name_it_would_not_binarize()
    {
        var input = RandomSepNet();
        var options = new BinarizationOptions
        {
            KeepFloat = new HashSet<string> { "conv1" },
            FineTune = TrainingRecipes.Retraining("sepnet") with { Epochs = 0 },
        };
        var output = BinarizationRun.Run(input, Data, options).Checkpoint;
        Assert.DoesNotContain("conv1.weight", output.Binarization.Keys);
        Assert.Contains("conv2.weight", output.Binarization.Keys);
        Assert.Equal(input.State["conv1.weight"].Data, output.State["conv1.weight"].Data);
        Assert.Equal("frozen,float:conv1", output.Metadata["binarization"]);

        foreach (var name in new[] { "sep1_1.reduce", "fc", "conv9" }) // a 1×1 conv, fc, and no layer at all
        {
            var e = Assert.Throws<ArgumentException>(() => BinarizationRun.Run(input, Data, options with { KeepFloat = new HashSet<string> { name } }));
            Assert.StartsWith($"--keep-float: {name} is not a conv", e.Message);
        }
    }

    [Fact]
    public void A_binarized_checkpoint_is_stored_at_one_bit_per_weight_and_reads_back_exactly()
    {
        var binarized = Binarize(RandomSepNet(), BinarizationMode.Ste, epochs: 1).Checkpoint;
        string path = TestData.TempFile(".pocket");
        try
        {
            // BatchNorm kept as trained, so every float tensor must read back as it was (folding is BatchNormStatisticsTests').
            PocketFile.Write(path, PocketEncoder.Encode(binarized, new PocketEncoder.Options(FoldBatchNorm: false)));
            var read = PocketFile.Read(path);
            foreach (var (name, alpha) in binarized.Binarization)
            {
                var stored = Assert.IsType<BinaryTensor>(read.Tensors[name]);
                Assert.Equal(alpha, stored.Scales);
                Assert.Equal(binarized.State[name].AsFloats(), stored.ToDense());
            }
            Assert.IsType<DenseTensor>(read.Tensors["sep1_1.prb1.transform.weight"]);
            var decoded = PocketDecoder.ToCheckpoint(read, path);
            foreach (var (name, t) in binarized.State.Where(kv => kv.Value.DType == "f32" && decoded.State.ContainsKey(kv.Key)))
                Assert.Equal(t.AsFloats(), decoded.State[name].AsFloats());
            var report = PocketFile.Inspect(path);
            var conv2 = report.Tensors.Single(t => t.Name == "conv2.weight");
            Assert.Equal(TensorEncoding.Binary, conv2.Encoding);
            Assert.Equal(1, conv2.WeightBitsFixed);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_pruned_float_layer_stays_pruned_and_keeps_its_mask()
    {
        var input = RandomSepNet();
        float[] fc = input.State["fc.weight"].AsFloats();
        byte[] mask = fc.Select((_, i) => (byte)(i % 2)).ToArray();
        for (int i = 0; i < fc.Length; i++) if (mask[i] == 0) fc[i] = 0;
        input.State["fc.weight"] = CheckpointTensor.FromFloats(fc, input.State["fc.weight"].Shape);
        input.Masks["fc.weight"] = mask;
        var output = Binarize(input, BinarizationMode.Ste, epochs: 1).Checkpoint;
        Assert.Equal(mask, output.Masks["fc.weight"]);
        float[] trained = output.State["fc.weight"].AsFloats();
        for (int i = 0; i < trained.Length; i++) Assert.True(mask[i] != 0 || trained[i] == 0, $"fc.weight[{i}] = {trained[i]} is pruned");
        Assert.NotEqual(fc, trained);
    }

    [Fact]
    public void Sensitivity_of_a_binarized_checkpoint_has_curves_only_for_the_layers_compression_prunes()
    {
        var binarized = Binarize(RandomSepNet(), BinarizationMode.Frozen, epochs: 0).Checkpoint;
        var curves = SensitivityAnalysis.Run(binarized, Data.Test.Take(16), [1.0, 0.5]);
        var layers = curves.Select(c => c.Layer).ToList();
        var binaryLayers = binarized.Binarization.Keys.Select(PocketModule.LayerName).ToList();
        Assert.NotEmpty(binaryLayers);
        Assert.DoesNotContain(layers, binaryLayers.Contains);
        // Every float weight still gets its curve: the 1×1 convs and fc.
        Assert.Contains("fc", layers);
        Assert.Contains("sep1_1.reduce", layers);
    }

    [Fact]
    public void A_quantized_checkpoint_is_refused()
    {
        var input = RandomSepNet();
        input.Quantization["fc.weight"] = new QuantizedWeight([0f], new ushort[input.State["fc.weight"].AsFloats().Length]);
        var e = Assert.Throws<ArgumentException>(() => Binarize(input, BinarizationMode.Frozen, epochs: 0));
        Assert.Contains("binarize first", e.Message);
    }

    [Fact]
    public void Pruning_and_quantization_after_binarization_keep_the_binary_filters_and_their_scales()
    {
        var binarized = Binarize(RandomSepNet(), BinarizationMode.Frozen, epochs: 0).Checkpoint;
        var pruned = PruningRun.Run(binarized, Data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep("conv=0.5,fc=0.5"), Rounds = 1, Retrain = TrainingRecipes.Retraining("sepnet") with { Epochs = 1, BatchSize = 64 },
        }).Checkpoint;
        var quantized = QuantizationRun.Run(pruned, Data, new QuantizationOptions
        {
            Bits = BitWidths.Parse("conv=6,fc=5"), FineTune = TrainingRecipes.Retraining("sepnet") with { Epochs = 1, BatchSize = 64 },
        }).Checkpoint;
        Assert.NotEmpty(binarized.Binarization);
        foreach (var (name, alpha) in binarized.Binarization)
        {
            Assert.Equal(alpha, quantized.Binarization[name]);
            Assert.Equal(binarized.State[name].AsFloats(), quantized.State[name].AsFloats());
            Assert.False(quantized.Quantization.ContainsKey(name));
            Assert.False(quantized.Masks.ContainsKey(name));
        }
        Assert.NotEmpty(quantized.Quantization); // the float 1×1 and fc layers were quantized
        var file = PocketEncoder.Encode(quantized);
        Assert.All(binarized.Binarization.Keys, name => Assert.IsType<BinaryTensor>(file.Tensors[name]));
    }
}
