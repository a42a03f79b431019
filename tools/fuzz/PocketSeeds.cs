using Pocket.Format;

namespace Pocket.Fuzz;

/// <summary>
/// The .pocket seed corpus: small models (a few hundred bytes to a few KB, so each fuzz iteration is fast) that
/// together use every op, every tensor encoding, all three stream codings, fillers in relative indices, 16-bit index and
/// codebook alphabets, metadata and odd float bit patterns, plus the real LeNet files. The runnable ones load in
/// Pocket.Runtime, so mutations also reach the runtime's validation and kernels.
/// </summary>
public static class PocketSeeds
{
    public static void Write(string directory, string repoRoot)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, model) in Models())
            foreach (var (suffix, coding) in new[] { ("", StreamCodingChoice.Smallest), ("-fixed", StreamCodingChoice.FixedWidth), ("-huffman", StreamCodingChoice.Huffman), ("-adaptive", StreamCodingChoice.AdaptiveBinary) })
            {
                // Models without coded streams would give identical files.
                if (suffix != "" && !model.Tensors.Values.Any(t => t is QuantizedDenseTensor or SparseQuantizedTensor)) continue;
                File.WriteAllBytes(Path.Combine(directory, name + suffix + PocketFile.Extension), PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = coding }));
            }
        foreach (string real in new[] { "lenet300", "lenet5" })
        {
            string path = Path.Combine(repoRoot, "bench", "Pocket.Bench", "models", real + PocketFile.Extension);
            if (File.Exists(path)) File.Copy(path, Path.Combine(directory, real + PocketFile.Extension), overwrite: true);
            else Console.Error.WriteLine($"{path}: not found, seed skipped");
        }
    }

    public static IEnumerable<(string Name, PocketModel Model)> Models()
    {
        yield return ("mlp", Mlp());
        yield return ("conv-bn-pool", ConvBnPool());
        yield return ("branchy", Branchy());
        yield return ("encodings", Encodings());
        yield return ("input-only", new PocketModel(new ModelGraph([GraphNode.Create("x", OpKind.Input, [], [1, 1, 1])]),
            new Dictionary<string, PocketTensor>(), new Dictionary<string, string>()));
    }

    /// <summary>Linear (sparse, with fillers) → ReLU → Linear (quantized dense) → Softmax.</summary>
    private static PocketModel Mlp()
    {
        var rng = new Random(1);
        var nodes = new List<GraphNode>
        {
            GraphNode.Create("input", OpKind.Input, [], [16, 1, 1]),
            GraphNode.Create("fc1", OpKind.Linear, [0], [12, 16], ["fc1.weight", "fc1.bias"]),
            GraphNode.Create("relu1", OpKind.Relu, [1]),
            GraphNode.Create("fc2", OpKind.Linear, [2], [10, 12], ["fc2.weight", ""]),
            GraphNode.Create("softmax", OpKind.Softmax, [3]),
        };
        return Model(nodes, new Dictionary<string, string> { ["model"] = "mlp", ["labels"] = "0,1,2,3,4,5,6,7,8,9" },
            Sparse("fc1.weight", [12, 16], rng, density: 0.2, codebook: 4, indexBits: 3),
            Dense("fc1.bias", [12], rng),
            Quantized("fc2.weight", [10, 12], rng, codebook: 8));
    }

    /// <summary>Conv (dense) → BatchNorm (folded) → ReLU6 → MaxPool → 1×1 conv (quantized) → AvgPool (ceil) → BatchNorm → GAP → Flatten → Linear.</summary>
    private static PocketModel ConvBnPool()
    {
        var rng = new Random(2);
        var nodes = new List<GraphNode>
        {
            GraphNode.Create("input", OpKind.Input, [], [2, 6, 6]),
            GraphNode.Create("conv1", OpKind.Conv2d, [0], [4, 2, 3, 3, 1, 1, 1, 1, 1], ["conv1.weight", "conv1.bias"]),
            GraphNode.Create("bn1", OpKind.BatchNorm2d, [1], [4], ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"], [1e-5f]),
            GraphNode.Create("relu6", OpKind.Relu6, [2]),
            GraphNode.Create("pool1", OpKind.MaxPool2d, [3], [2, 2, 2, 2, 0, 0, 0]),
            GraphNode.Create("conv2", OpKind.Conv2d, [4], [4, 4, 1, 1, 1, 1, 0, 0, 1], ["conv2.weight", ""]),
            GraphNode.Create("pool2", OpKind.AvgPool2d, [5], [3, 3, 2, 2, 1, 1, 1]),
            GraphNode.Create("bn2", OpKind.BatchNorm2d, [6], [4], ["bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var"], [1e-3f]),
            GraphNode.Create("gap", OpKind.GlobalAvgPool, [7]),
            GraphNode.Create("flat", OpKind.Flatten, [8]),
            GraphNode.Create("fc", OpKind.Linear, [9], [3, 4], ["fc.weight", "fc.bias"]),
        };
        return Model(nodes, new Dictionary<string, string> { ["model"] = "conv-bn-pool" },
            Dense("conv1.weight", [4, 2, 3, 3], rng), Dense("conv1.bias", [4], rng),
            Dense("bn1.weight", [4], rng), Dense("bn1.bias", [4], rng), Dense("bn1.running_mean", [4], rng), Positive("bn1.running_var", 4, rng),
            Quantized("conv2.weight", [4, 4, 1, 1], rng, codebook: 4),
            Dense("bn2.weight", [4], rng), Dense("bn2.bias", [4], rng), Dense("bn2.running_mean", [4], rng), Positive("bn2.running_var", 4, rng),
            Dense("fc.weight", [3, 4], rng), Dense("fc.bias", [3], rng));
    }

    /// <summary>SqueezeNet/MobileNet-like: sparse 1×1 conv → ReLU → depthwise 3×3 (quantized) → Add → Concat → binary strided conv → ReLU → GAP → Flatten → Softmax.</summary>
    private static PocketModel Branchy()
    {
        var rng = new Random(3);
        var nodes = new List<GraphNode>
        {
            GraphNode.Create("input", OpKind.Input, [], [3, 5, 5]),
            GraphNode.Create("squeeze", OpKind.Conv2d, [0], [4, 3, 1, 1, 1, 1, 0, 0, 1], ["squeeze.weight", "squeeze.bias"]),
            GraphNode.Create("relu1", OpKind.Relu, [1]),
            GraphNode.Create("dw", OpKind.Conv2d, [2], [4, 4, 3, 3, 1, 1, 1, 1, 4], ["dw.weight", ""]),
            GraphNode.Create("add", OpKind.Add, [2, 3]),
            GraphNode.Create("cat", OpKind.Concat, [2, 4]),
            GraphNode.Create("bin", OpKind.Conv2d, [5], [2, 8, 3, 3, 2, 2, 0, 0, 1], ["bin.weight", ""]),
            GraphNode.Create("relu2", OpKind.Relu, [6]),
            GraphNode.Create("gap", OpKind.GlobalAvgPool, [7]),
            GraphNode.Create("flat", OpKind.Flatten, [8]),
            GraphNode.Create("softmax", OpKind.Softmax, [9]),
        };
        return Model(nodes, new Dictionary<string, string> { ["model"] = "branchy" },
            Sparse("squeeze.weight", [4, 3, 1, 1], rng, density: 0.5, codebook: 3, indexBits: 2),
            Dense("squeeze.bias", [4], rng),
            Quantized("dw.weight", [4, 1, 3, 3], rng, codebook: 4),
            Binary("bin.weight", [2, 8, 3, 3], rng));
    }

    /// <summary>Decode-only corner cases (the graph is just an input): a rank-0 tensor, 16-bit index and codebook
    /// alphabets, a sparse tensor whose gaps need many fillers, an all-filler-free dense run, special floats, UTF-8.</summary>
    private static PocketModel Encodings()
    {
        var rng = new Random(4);
        var special = new DenseTensor("special", [6], [float.NaN, -0.0f, float.PositiveInfinity, float.NegativeInfinity,
            BitConverter.UInt32BitsToSingle(0x7FC01234), float.Epsilon]);
        var wide = new SparseQuantizedTensor("wide-index", [3, 40000], [0.5f, -0.25f], [0, 1, 65535, 70000, 119999], [0, 1, 0, 1, 1], IndexBits: 16);
        var fillers = new SparseQuantizedTensor("fillers", [2, 50], [1f, -1f, 2f], [0, 9, 10, 70, 99], [0, 1, 2, 1, 0], IndexBits: 1);
        return Model([GraphNode.Create("input", OpKind.Input, [], [1, 1, 1])],
            new Dictionary<string, string> { ["labels"] = "zéro,один,二", ["empty"] = "", ["model"] = "encodings" },
            special, new DenseTensor("scalar", [], [3.5f]), wide, fillers,
            Quantized("big-codebook", [20, 20], rng, codebook: 300),
            Sparse("dense-run", [64], rng, density: 1.0, codebook: 2, indexBits: 1),
            Binary("binary-odd", [3, 1, 1, 3], rng));
    }

    private static PocketModel Model(List<GraphNode> nodes, Dictionary<string, string> metadata, params PocketTensor[] tensors) =>
        new(new ModelGraph(nodes), tensors.ToDictionary(t => t.Name, t => t), metadata);

    private static DenseTensor Dense(string name, int[] shape, Random rng) =>
        new(name, shape, Enumerable.Range(0, shape.Aggregate(1, (a, d) => a * d)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());

    private static DenseTensor Positive(string name, int length, Random rng) =>
        new(name, [length], Enumerable.Range(0, length).Select(_ => (float)(0.5 + rng.NextDouble())).ToArray());

    private static QuantizedDenseTensor Quantized(string name, int[] shape, Random rng, int codebook)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        var centroids = Enumerable.Range(0, codebook).Select(i => (float)(i - codebook / 2) / codebook).ToArray();
        // Skewed codes, so Huffman beats fixed width and the writer's "smallest" choice differs between streams.
        var codes = Enumerable.Range(0, n).Select(_ => (ushort)(codebook * Math.Pow(rng.NextDouble(), 3))).ToArray();
        return new QuantizedDenseTensor(name, shape, centroids, codes);
    }

    private static SparseQuantizedTensor Sparse(string name, int[] shape, Random rng, double density, int codebook, int indexBits)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        var positions = Enumerable.Range(0, n).Where(_ => rng.NextDouble() < density).ToArray();
        if (positions.Length == 0) positions = [n - 1];
        var centroids = Enumerable.Range(0, codebook).Select(i => (float)(i + 1) / codebook * (i % 2 == 0 ? 1 : -1)).ToArray();
        var codes = positions.Select(_ => (ushort)rng.Next(codebook)).ToArray();
        return new SparseQuantizedTensor(name, shape, centroids, positions, codes, indexBits);
    }

    private static BinaryTensor Binary(string name, int[] shape, Random rng)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        var bits = new byte[(n + 7) / 8];
        rng.NextBytes(bits);
        if (n % 8 != 0) bits[^1] &= (byte)((1 << (n % 8)) - 1); // padding bits must be zero
        var scales = Enumerable.Range(0, shape[0]).Select(_ => (float)(0.1 + rng.NextDouble())).ToArray();
        return new BinaryTensor(name, shape, scales, bits);
    }
}
