using Pocket.Format;
using Pocket.Training.Compression;

namespace Pocket.Training.Tests.Compression;

public class BiasQuantizerTests
{
    /// <summary>Linear (sparse weight, float32 bias) → BatchNorm-free MLP head, plus an unreferenced-by-Linear float tensor role (BatchNorm).</summary>
    private static PocketModel Model()
    {
        var rng = new Random(4);
        var positions = Enumerable.Range(0, 300 * 64).Where(_ => rng.NextDouble() < 0.1).ToArray();
        var codes = positions.Select(_ => (ushort)rng.Next(16)).ToArray();
        var codebook = Enumerable.Range(0, 16).Select(i => (i - 7.5f) / 10).ToArray();
        float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var tensors = new Dictionary<string, PocketTensor>
        {
            ["conv.weight"] = new DenseTensor("conv.weight", [4, 1, 1, 1], Floats(4)),
            ["bn.weight"] = new DenseTensor("bn.weight", [4], Floats(4)),
            ["bn.bias"] = new DenseTensor("bn.bias", [4], Floats(4)),
            ["bn.mean"] = new DenseTensor("bn.mean", [4], Floats(4)),
            ["bn.var"] = new DenseTensor("bn.var", [4], Floats(4).Select(Math.Abs).ToArray()),
            ["fc.weight"] = new SparseQuantizedTensor("fc.weight", [300, 64], codebook, positions, codes, 8),
            ["fc.bias"] = new DenseTensor("fc.bias", [300], Floats(300)),
        };
        var graph = new ModelGraph([
            GraphNode.Create("input", OpKind.Input, [], [1, 4, 4]),
            GraphNode.Create("conv", OpKind.Conv2d, [0], [4, 1, 1, 1, 1, 1, 0, 0, 1], ["conv.weight", ""]),
            GraphNode.Create("bn", OpKind.BatchNorm2d, [1], [4], ["bn.weight", "bn.bias", "bn.mean", "bn.var"], [1e-5f]),
            GraphNode.Create("flat", OpKind.Flatten, [2]),
            GraphNode.Create("fc", OpKind.Linear, [3], [300, 64], ["fc.weight", "fc.bias"]),
        ]);
        return new PocketModel(graph, tensors, new Dictionary<string, string>());
    }

    [Fact]
    public void Linear_biases_become_small_codebooks_and_nothing_else_changes()
    {
        var model = Model();
        var quantized = BiasQuantizer.Quantize(model, 4);
        var bias = Assert.IsType<QuantizedDenseTensor>(quantized.Tensors["fc.bias"]);
        Assert.InRange(bias.Codebook.Length, 2, 16);
        float[] original = ((DenseTensor)model.Tensors["fc.bias"]).Values;
        float[] decoded = bias.ToDense();
        // k-means on [-0.5, 0.5] with 16 levels: every value within half the widest cell of its level.
        var gaps = bias.Codebook.Zip(bias.Codebook.Skip(1), (a, b) => (double)b - a).ToList();
        gaps.Add(bias.Codebook[0] + 0.5);
        gaps.Add(0.5 - bias.Codebook[^1]);
        double widest = gaps.Max();
        for (int i = 0; i < original.Length; i++) Assert.True(Math.Abs(original[i] - decoded[i]) <= widest, $"bias {i}: {original[i]} → {decoded[i]}");
        foreach (string name in new[] { "conv.weight", "bn.weight", "bn.bias", "bn.mean", "bn.var", "fc.weight" })
            Assert.Same(model.Tensors[name], quantized.Tensors[name]);
        Assert.Equal(model.Tensors.Keys, quantized.Tensors.Keys); // section order kept
        Assert.True(PocketFile.Encode(quantized).Length + 800 < PocketFile.Encode(model).Length);
    }

    [Fact]
    public void Bias_with_few_distinct_values_is_stored_exactly()
    {
        var model = Model();
        var tensors = model.Tensors.ToDictionary();
        tensors["fc.bias"] = new DenseTensor("fc.bias", [300], Enumerable.Range(0, 300).Select(i => (float)(i % 3)).ToArray());
        var quantized = BiasQuantizer.Quantize(model with { Tensors = tensors }, 4);
        Assert.Equal(tensors["fc.bias"].ToDense(), quantized.Tensors["fc.bias"].ToDense());
        Assert.Throws<ArgumentException>(() => BiasQuantizer.Quantize(model, 0));
    }

    [Fact]
    public void Reencoding_a_file_is_lossless_and_never_bigger()
    {
        var model = Model();
        byte[] huffman = PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = StreamCodingChoice.Huffman });
        var read = PocketFile.Decode(huffman);
        var again = PocketEncoder.Reencode(read);
        byte[] smallest = PocketFile.Encode(again);
        Assert.True(smallest.Length <= huffman.Length);
        var back = PocketFile.Decode(smallest);
        foreach (var (name, t) in model.Tensors) Assert.Equal(t.ToDense(), back.Tensors[name].ToDense());
    }
}
