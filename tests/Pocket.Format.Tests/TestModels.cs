using Pocket.Format;

namespace Pocket.Format.Tests;

/// <summary>Small models covering every encoding, and a bit-exact model comparison.</summary>
internal static class TestModels
{
    public static float Bits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    /// <summary>A LeNet-like model with one tensor of each encoding, odd float bit patterns included.</summary>
    public static PocketModel Small()
    {
        var dense = new DenseTensor("fc1.bias", [4], [1.5f, -0.0f, Bits(0x7FC01234), Bits(0xFF800001)]);
        var quantized = new QuantizedDenseTensor("conv1.weight", [2, 1, 2, 2], [-0.5f, 0.25f, 1f], [0, 1, 2, 2, 1, 0, 0, 2]);
        var sparse = new SparseQuantizedTensor("fc1.weight", [4, 30], [-1f, 0.5f, 2f, -0.0f],
            [0, 3, 14, 40, 41, 100, 119], [0, 1, 2, 3, 0, 1, 1], IndexBits: 3);
        var binary = new BinaryTensor("conv2.weight", [3, 1, 1, 3], [0.5f, 1f, Bits(0x7F800001)], [0b1010_1101, 0b0000_0001]);
        var nodes = new List<GraphNode>
        {
            GraphNode.Create("input", OpKind.Input, [], [1, 2, 2]),
            GraphNode.Create("conv1", OpKind.Conv2d, [0], [2, 1, 2, 2, 1, 1, 0, 0, 1], ["conv1.weight", ""]),
            GraphNode.Create("conv2", OpKind.Conv2d, [1], [3, 1, 1, 3, 1, 1, 0, 1, 1], ["conv2.weight", ""]),
            GraphNode.Create("bn", OpKind.BatchNorm2d, [2], [3], [], [1e-5f]),
            GraphNode.Create("flat", OpKind.Flatten, [3]),
            GraphNode.Create("fc1", OpKind.Linear, [4], [4, 30], ["fc1.weight", "fc1.bias"]),
            GraphNode.Create("sum", OpKind.Add, [5, 5]),
            GraphNode.Create("softmax", OpKind.Softmax, [6]),
        };
        var tensors = new Dictionary<string, PocketTensor>
        {
            [quantized.Name] = quantized, [binary.Name] = binary, [sparse.Name] = sparse, [dense.Name] = dense,
        };
        var metadata = new Dictionary<string, string> { ["model"] = "lenet-300-100", ["labels"] = "zéro,un,deux", ["empty"] = "" };
        return new PocketModel(new ModelGraph(nodes), tensors, metadata);
    }

    /// <summary>A model holding just the given tensors (and an input node).</summary>
    public static PocketModel WithTensors(params PocketTensor[] tensors) =>
        new(new ModelGraph([GraphNode.Create("input", OpKind.Input, [], [1, 1, 1])]),
            tensors.ToDictionary(t => t.Name, t => t), new Dictionary<string, string>());

    /// <summary>Asserts two models are identical, floats compared by bit pattern.</summary>
    public static void AssertIdentical(PocketModel expected, PocketModel actual)
    {
        // Entry order carries no meaning (the writer sorts entries by key), so metadata is compared as a set.
        Assert.Equal(expected.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Graph.Nodes.Count, actual.Graph.Nodes.Count);
        for (int i = 0; i < expected.Graph.Nodes.Count; i++)
        {
            var e = expected.Graph.Nodes[i];
            var a = actual.Graph.Nodes[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Op, a.Op);
            Assert.Equal(e.Inputs, a.Inputs);
            Assert.Equal(e.Attributes, a.Attributes);
            Assert.Equal(FloatBits(e.FloatAttributes), FloatBits(a.FloatAttributes));
            Assert.Equal(e.Tensors, a.Tensors);
        }
        Assert.Equal(expected.Tensors.Keys, actual.Tensors.Keys);
        foreach (var (name, e) in expected.Tensors) AssertIdentical(e, actual.Tensors[name]);
    }

    public static void AssertIdentical(PocketTensor expected, PocketTensor actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Shape, actual.Shape);
        switch (expected)
        {
            case DenseTensor e:
                Assert.Equal(FloatBits(e.Values), FloatBits(((DenseTensor)actual).Values));
                break;
            case QuantizedDenseTensor e:
                var q = (QuantizedDenseTensor)actual;
                Assert.Equal(FloatBits(e.Codebook), FloatBits(q.Codebook));
                Assert.Equal(e.Codes, q.Codes);
                break;
            case SparseQuantizedTensor e:
                var s = (SparseQuantizedTensor)actual;
                Assert.Equal(FloatBits(e.Codebook), FloatBits(s.Codebook));
                Assert.Equal(e.Positions, s.Positions);
                Assert.Equal(e.Codes, s.Codes);
                Assert.Equal(e.IndexBits, s.IndexBits);
                break;
            case BinaryTensor e:
                var b = (BinaryTensor)actual;
                Assert.Equal(FloatBits(e.Scales), FloatBits(b.Scales));
                Assert.Equal(e.Bits, b.Bits);
                break;
        }
    }

    public static uint[] FloatBits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
