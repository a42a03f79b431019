using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Compression;

[Collection(TorchRandomness.Collection)]
public class BatchNormStatisticsTests
{
    private static readonly ModelSpec SmallMobileNet = new("mobilenet_v1", new Dictionary<string, string> { ["alpha"] = "0.25" });

    /// <summary>A random MobileNet whose BatchNorms have statistics far from 0 and 1, as a trained one's are.</summary>
    private static Checkpoint RandomMobileNet()
    {
        TorchSharp.torch.manual_seed(5);
        using var module = ModelZoo.Create(SmallMobileNet, new InputShape(1, 28, 28), 10);
        var checkpoint = ModuleState.Capture(module, "fashion-mnist");
        var rng = new Random(6);
        foreach (var (name, t) in checkpoint.State.Where(kv => kv.Value.DType == "f32" && kv.Key.Contains("bn.")).ToList())
        {
            Func<double> draw = name.EndsWith("running_var") ? () => 0.05 + 3 * rng.NextDouble()
                : name.EndsWith("running_mean") ? () => 2 * rng.NextDouble() - 1
                : name.EndsWith("weight") ? () => 0.5 + rng.NextDouble() : () => rng.NextDouble() - 0.5;
            checkpoint.State[name] = CheckpointTensor.FromFloats(t.AsFloats().Select(_ => (float)draw()).ToArray(), t.Shape);
        }
        return checkpoint;
    }

    private static IEnumerable<GraphNode> BatchNorms(PocketModel model) => model.Graph.Nodes.Where(n => n.Op == OpKind.BatchNorm2d);

    [Fact]
    public void Folded_BatchNorm_is_the_same_affine_map_in_half_the_bytes()
    {
        var checkpoint = RandomMobileNet();
        var kept = PocketEncoder.Encode(checkpoint, new PocketEncoder.Options(FoldBatchNorm: false));
        var folded = PocketEncoder.Encode(checkpoint);
        Assert.NotEmpty(BatchNorms(folded));

        // Per channel, against float64 from the checkpoint's own statistics: s = γ/√(var+ε) and t = β − mean·s,
        // computed from what the folded file stores the way a reader does (float32, mean 0, var 1).
        foreach (var bn in BatchNorms(folded))
        {
            float eps = bn.FloatAttributes[0];
            float[][] original = bn.Tensors.Select(t => checkpoint.State[t].AsFloats()).ToArray();
            float[][] stored = bn.Tensors.Select(t => folded.Tensors[t].ToDense()).ToArray();
            Assert.All(stored[2], v => Assert.Equal(0f, v));
            Assert.All(stored[3], v => Assert.Equal(1f, v));
            Assert.IsType<QuantizedDenseTensor>(folded.Tensors[bn.Tensors[3]]);
            for (int c = 0; c < original[0].Length; c++)
            {
                double s = original[0][c] / Math.Sqrt((double)original[3][c] + eps), t = original[1][c] - original[2][c] * s;
                float readerScale = stored[0][c] / MathF.Sqrt(stored[3][c] + eps), readerShift = stored[1][c] - stored[2][c] * readerScale;
                Assert.True(Math.Abs(readerScale - s) <= 1e-6 * Math.Abs(s), $"{bn.Name}[{c}] scale {readerScale} vs {s}");
                Assert.True(Math.Abs(readerShift - t) <= 1e-6 * (Math.Abs(t) + Math.Abs(original[1][c])), $"{bn.Name}[{c}] shift {readerShift} vs {t}");
            }
        }

        // The network computes the same thing, in Pocket.Runtime and in TorchSharp on the decoded file.
        var rng = new Random(7);
        float[] input = Enumerable.Range(0, 4 * 28 * 28).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] Logits(PocketModel m)
        {
            var output = new float[4 * 10];
            PocketNetwork.Load(PocketFile.Decode(PocketFile.Encode(m))).Predict(input, 4, output);
            return output;
        }
        float[] a = Logits(kept), b = Logits(folded);
        double scale = a.Max(Math.Abs);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * scale, $"logit {i}: {a[i]} vs {b[i]}");
        float[] Torch(PocketModel m)
        {
            var decoded = PocketDecoder.ToCheckpoint(PocketFile.Decode(PocketFile.Encode(m)), "test");
            using var module = ModuleState.Restore(decoded);
            module.eval();
            using var x = TorchSharp.torch.tensor(input, [4, 1, 28, 28]);
            using var y = module.call(x);
            return y.data<float>().ToArray();
        }
        float[] ta = Torch(kept), tb = Torch(folded);
        for (int i = 0; i < ta.Length; i++) Assert.True(Math.Abs(ta[i] - tb[i]) <= 1e-4 * scale, $"TorchSharp logit {i}: {ta[i]} vs {tb[i]}");

        long keptBytes = PocketFile.Encode(kept).Length, foldedBytes = PocketFile.Encode(folded).Length;
        long channels = BatchNorms(folded).Sum(n => (long)folded.Tensors[n.Tensors[0]].Shape[0]);
        // Two of four float32 vectors become one bit per channel (plus a codebook entry and a header each).
        Assert.True(keptBytes - foldedBytes >= 7 * channels, $"{keptBytes} → {foldedBytes} bytes for {channels} channels");
    }

    [Fact]
    public void Folding_a_folded_file_again_changes_nothing_and_BatchNorm_bits_quantize_scale_and_shift()
    {
        var folded = PocketEncoder.Encode(RandomMobileNet());
        Assert.Equal(PocketFile.Encode(folded), PocketFile.Encode(BatchNormStatistics.Fold(folded)));

        var quantized = PocketEncoder.Reencode(folded, new PocketEncoder.Options(BatchNormBits: 4));
        // A vector of a few channels stays float32 when 16 codebook entries would cost more than its values.
        foreach (var bn in BatchNorms(quantized).Where(n => quantized.Tensors[n.Tensors[0]].Shape[0] >= 32))
            foreach (string name in bn.Tensors.Take(2))
            {
                var q = Assert.IsType<QuantizedDenseTensor>(quantized.Tensors[name]);
                Assert.InRange(q.Codebook.Length, 1, 16);
            }
        Assert.True(PocketFile.Encode(quantized).Length < PocketFile.Encode(folded).Length);
        // Weights and everything outside BatchNorm are untouched.
        var bnTensors = BatchNorms(folded).SelectMany(n => n.Tensors).ToHashSet();
        foreach (var (name, t) in folded.Tensors.Where(kv => !bnTensors.Contains(kv.Key)))
            Assert.Same(t, quantized.Tensors[name]);
    }
}
