using Pocket.Format;

namespace Pocket.Sample;

/// <summary>
/// A small LeNet-5-shaped model with random weights and a pruned + quantized fc1, built in code so the sample
/// runs without a trained file. Real apps load a .pocket file written by `pocket compress` instead.
/// </summary>
internal static class DemoModel
{
    public static PocketModel Build(int seed = 42)
    {
        var random = new Random(seed);
        var nodes = new List<GraphNode>();
        var tensors = new Dictionary<string, PocketTensor>();

        float[] Values(int n, float scale)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 2 - 1) * scale;
            return v;
        }

        int Node(GraphNode node)
        {
            nodes.Add(node);
            return nodes.Count - 1;
        }

        int Conv(int input, string name, int inC, int outC, int k)
        {
            tensors[name + ".w"] = new DenseTensor(name + ".w", [outC, inC, k, k], Values(outC * inC * k * k, 1f / MathF.Sqrt(inC * k * k)));
            tensors[name + ".b"] = new DenseTensor(name + ".b", [outC], Values(outC, 0.1f));
            return Node(GraphNode.Create(name, OpKind.Conv2d, [input], [outC, inC, k, k, 1, 1, 0, 0, 1], [name + ".w", name + ".b"]));
        }

        int x = Node(GraphNode.Create("input", OpKind.Input, [], [1, 28, 28]));
        int c1 = Conv(x, "conv1", 1, 20, 5);
        int p1 = Node(GraphNode.Create("pool1", OpKind.MaxPool2d, [c1], [2, 2, 2, 2, 0, 0, 0]));
        int c2 = Conv(p1, "conv2", 20, 50, 5);
        int p2 = Node(GraphNode.Create("pool2", OpKind.MaxPool2d, [c2], [2, 2, 2, 2, 0, 0, 0]));
        int flat = Node(GraphNode.Create("flatten", OpKind.Flatten, [p2]));

        // fc1: 92% of the weights pruned, the rest shared among 32 centroids (5 bits), as Deep Compression leaves it.
        float[] codebook = Values(32, 0.1f);
        var positions = new List<int>();
        var codes = new List<ushort>();
        for (int p = 0; p < 500 * 800; p++)
        {
            if (random.NextDouble() >= 0.08) continue;
            positions.Add(p);
            codes.Add((ushort)random.Next(32));
        }
        tensors["fc1.w"] = new SparseQuantizedTensor("fc1.w", [500, 800], codebook, positions.ToArray(), codes.ToArray(), 5);
        tensors["fc1.b"] = new DenseTensor("fc1.b", [500], Values(500, 0.1f));
        int fc1 = Node(GraphNode.Create("fc1", OpKind.Linear, [flat], [500, 800], ["fc1.w", "fc1.b"]));
        int relu = Node(GraphNode.Create("relu", OpKind.Relu, [fc1]));
        tensors["fc2.w"] = new DenseTensor("fc2.w", [10, 500], Values(5000, 1f / MathF.Sqrt(500)));
        tensors["fc2.b"] = new DenseTensor("fc2.b", [10], Values(10, 0.1f));
        int fc2 = Node(GraphNode.Create("fc2", OpKind.Linear, [relu], [10, 500], ["fc2.w", "fc2.b"]));
        Node(GraphNode.Create("softmax", OpKind.Softmax, [fc2]));

        return new PocketModel(new ModelGraph(nodes), tensors, new Dictionary<string, string> { ["name"] = "demo-lenet5-random" });
    }
}
