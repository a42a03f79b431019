using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Tests.Imported;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Compression;

/// <summary>
/// Compression without data (<see cref="DataFreeCompression"/>) on the PyTorch-exported MLP fixture (1×28×28 → 10),
/// with MNIST test images as the unlabelled inputs: no weight moves but by pruning and k-means, the file is smaller,
/// its fidelity is what the runtime computes, and the same seed gives the same bytes.
/// </summary>
public class DataFreeCompressionTests
{
    private static readonly Lazy<ImageDataset> Images = new(() => DatasetCatalog.LoadTest("mnist").Take(400));
    private static ImageDataset Calibration => Images.Value.Take(200);
    private static ImageDataset HeldOut => Images.Value.Slice(200, 200);

    private static Checkpoint Original() => ImportedFixtures.Checkpoint("mlp_opset11.onnx", "mnist");

    private static DataFreeCompression.Result Compress(Checkpoint original, DataFreeOptions? options = null) =>
        DataFreeCompression.Run(original, Calibration, HeldOut, options ?? new DataFreeOptions(), "mlp.pocket");

    [Fact]
    public void Fidelity_is_top1_agreement_and_cosine_computed_by_hand_in_float64()
    {
        // Three samples of three outputs. Row 0: same argmax (2), cos = (0·0 + 1·0 + 2·1)/(√5·1) = 2/√5.
        // Row 1: argmax 0 against 1, cos = (3·1 + 1·3)/(√10·√10) = 0.6. Row 2: both zero vectors, the same output: 1.
        var a = new ModelOutputs([0, 1, 2, 3, 1, 0, 0, 0, 0], 3, 3);
        var b = new ModelOutputs([0, 0, 1, 1, 3, 0, 0, 0, 0], 3, 3);
        var f = OutputFidelity.Compare(a, b);
        Assert.Equal(3, f.Samples);
        Assert.Equal(2.0 / 3, f.Top1Agreement, 12);
        Assert.Equal((2 / Math.Sqrt(5) + 0.6 + 1) / 3, f.MeanCosine, 12);
        Assert.Equal(0.6, f.MinCosine, 12);
        // A zero output against a non-zero one shares no direction; a tie in argmax goes to the first index.
        Assert.Equal(0, OutputFidelity.Cosine([0f, 0f], [1f, 0f]));
        Assert.Equal(0, OutputFidelity.ArgMax([5f, 5f, 1f]));
        Assert.Equal(1, OutputFidelity.Compare(a, a).MeanCosine, 12);
        Assert.Throws<ArgumentException>(() => OutputFidelity.Compare(a, new ModelOutputs([0, 1], 1, 2)));
    }

    [Fact]
    public void Without_retraining_every_kept_weight_is_a_centroid_of_the_original_weights_and_biases_are_untouched()
    {
        var original = Original();
        var r = Compress(original);
        var decoded = PocketDecoder.ToCheckpoint(PocketFile.Decode(r.File, "mlp.pocket"), "mlp.pocket");
        using var model = ModuleState.Restore(original);
        var weights = model.CompressibleWeights().Select(w => w.Name).ToHashSet();
        Assert.NotEmpty(weights);
        int quantizedLayers = 0;
        foreach (string name in weights)
        {
            float[] before = original.State[name].AsFloats(), after = decoded.State[name].AsFloats();
            byte[] mask = after.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
            // Pruning by magnitude: every kept original weight is at least as large as every pruned one.
            var kept = before.Where((_, i) => mask[i] != 0).Select(Math.Abs).ToArray();
            var pruned = before.Where((_, i) => mask[i] == 0).Select(Math.Abs).ToArray();
            if (pruned.Length > 0) Assert.True(kept.Min() >= pruned.Max(), $"{name}: a pruned weight is larger than a kept one");
            string layer = Pocket.Training.Models.PocketModule.LayerName(name);
            if (!r.Bits.ByKey.TryGetValue(layer, out int bits))
            {
                for (int i = 0; i < before.Length; i++) Assert.Equal(mask[i] != 0 ? before[i] : 0f, after[i]);
                continue;
            }
            // k-means of the original kept weights, as QuantizationRun does: a gradient step would have moved them off.
            quantizedLayers++;
            var (codebook, codes, _) = QuantizationRun.Quantize(before, mask, bits, CentroidInitialization.Linear, 1);
            for (int i = 0; i < before.Length; i++) Assert.Equal(mask[i] != 0 ? codebook[codes[i]] : 0f, after[i]);
        }
        Assert.True(quantizedLayers > 0, "no layer was quantized");
        foreach (var (name, tensor) in original.State.Where(t => !weights.Contains(t.Key) && t.Value.DType == "f32"))
            Assert.Equal(tensor.AsFloats(), decoded.State[name].AsFloats());
    }

    [Fact]
    public void The_file_is_smaller_than_the_float_one_and_its_fidelity_is_what_the_runtime_computes()
    {
        var original = Original();
        var r = Compress(original);
        byte[] floatFile = PocketFile.Encode(PocketEncoder.Encode(original));
        Assert.True(r.File.Length < floatFile.Length, $"{r.File.Length} bytes data-free, {floatFile.Length} float");

        // The choice holds the floor on the images it was made on, by construction.
        Assert.True(r.Calibration.MeanCosine >= DataFreeOptions.DefaultMinCosine, $"calibration mean cosine {r.Calibration.MeanCosine}");

        // Recomputed here from Pocket.Runtime's outputs of both files, in float64, without OutputFidelity.
        var before = PocketNetwork.Load(floatFile);
        var after = PocketNetwork.Load(r.File);
        int agree = 0;
        double sum = 0;
        for (int i = 0; i < HeldOut.Count; i++)
        {
            float[] x = before.Predict(HeldOut.Image(i)), y = after.Predict(HeldOut.Image(i));
            double dot = 0, xx = 0, yy = 0;
            for (int j = 0; j < x.Length; j++) { dot += (double)x[j] * y[j]; xx += (double)x[j] * x[j]; yy += (double)y[j] * y[j]; }
            sum += dot / Math.Sqrt(xx * yy);
            if (Array.IndexOf(x, x.Max()) == Array.IndexOf(y, y.Max())) agree++;
        }
        Assert.Equal(HeldOut.Count, r.Fidelity.Samples);
        Assert.Equal(sum / HeldOut.Count, r.Fidelity.MeanCosine, 4);
        // TorchSharp and the runtime sum in different orders: a near-tie may flip one argmax, no more.
        Assert.InRange(r.Fidelity.Top1Agreement * HeldOut.Count, agree - 1, agree + 1);
        Assert.InRange(r.Fidelity.MinCosine, -1, r.Fidelity.MeanCosine);
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_explicit_keep_and_bits_override_the_choice()
    {
        var original = Original();
        Assert.Equal(Compress(original).File, Compress(original).File);

        var r = Compress(original, new DataFreeOptions { Keep = PruningRule.ParseKeep("fc=0.5"), Bits = BitWidths.Parse("3") });
        Assert.Null(r.KeepChoices);
        Assert.Null(r.BitsChoices);
        Assert.All(r.Sparsity, l => Assert.Equal(0.5, l.KeptFraction, 2));
        var file = PocketFile.Decode(r.File, "mlp.pocket");
        var sparse = file.Tensors.Values.OfType<SparseQuantizedTensor>().ToList();
        Assert.Equal(r.Sparsity.Count, sparse.Count);
        Assert.All(sparse, t => Assert.True(t.Codebook.Length <= 7, $"{t.Codebook.Length} centroids at 3 bits"));
    }

    [Theory]
    [InlineData(new[] { 8, 7, 6, 5, 4, 3, 2 })]
    [InlineData(new[] { 4, 3, 2 })]
    [InlineData(new[] { 3, 2 })]
    public void When_every_layer_at_the_widest_width_holds_the_floor_no_layer_is_left_float32(int[] levels)
    {
        var original = Original();
        ModelOutputs reference;
        using (var model = ModuleState.Restore(original)) reference = ModelOutputs.Of(model, Calibration, model.InputShape);
        // The mean cosine with every layer at the widest width, measured by a search that may only choose that width.
        int widest = levels.Max();
        var (all, allChoices) = OutputSensitivity.ChooseBits(original, Calibration, reference, floor: 0,
            CentroidInitialization.Linear, seed: 1, levels: [widest]);
        Assert.All(allChoices, c => Assert.Equal(widest, c.Value));
        double allCosine = allChoices[^1].MeanCosine;

        // Floors from that tight to several times looser: the largest layer may go below the widest width only as far as
        // leaves the others theirs. (Started from float32, the search let fc1 take the budget and left fc2 float32.)
        foreach (double looser in new[] { 0, 0.5, 1, 2, 4 })
        {
            double floor = allCosine - looser * (1 - allCosine);
            var (bits, choices) = OutputSensitivity.ChooseBits(original, Calibration, reference, floor, CentroidInitialization.Linear,
                seed: 1, levels: levels);
            Assert.All(choices, c => Assert.True(c.Value != null, $"floor {floor}: {c.Layer} left float32"));
            Assert.Equal(all.ByKey.Count, bits.ByKey.Count);
            Assert.All(choices, c => Assert.True(c.MeanCosine >= floor, $"{c.Layer}: mean cosine {c.MeanCosine} under {floor}"));
        }
    }

    [Fact]
    public void The_test_split_loads_without_the_training_files()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"pocket-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (string name in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
                File.Copy(Path.Combine(DatasetCatalog.ResolveFolder("mnist"), name), Path.Combine(folder, name));
            Assert.Equal(10000, DatasetCatalog.LoadTest(folder).Count);
            Assert.Throws<IdxFormatException>(() => DatasetCatalog.Load(folder));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
