using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx;

/// <summary>
/// Maps each Pocket node to ONNX nodes. Pocket treats every value as C×H×W per sample and lets Linear and Softmax read
/// it flattened; ONNX needs explicit ranks, so each value is tracked as 4-D [N,C,H,W] or 2-D [N,C·H·W] and converted
/// (Flatten / Reshape) only where an op needs the other rank. Weights are written decoded to dense float32.
/// </summary>
internal sealed class PocketGraphLowering
{
    /// <summary>An ONNX value and its rank (2 or 4).</summary>
    private readonly record struct Value(string Name, int Rank);

    private readonly PocketModel _model;
    private readonly IReadOnlyList<GraphNode> _nodes;
    private readonly TensorShape[] _shapes;
    private readonly OnnxGraphBuilder _onnx;
    private readonly Value[] _values;
    private readonly Dictionary<string, string> _weights = new(StringComparer.Ordinal); // Pocket tensor → initializer
    private (string Min, string Max)? _relu6Bounds;

    public PocketGraphLowering(PocketModel model, OnnxGraphBuilder onnx)
    {
        _model = model;
        _nodes = model.Graph.Nodes;
        // The runtime's own validation and shape rule: what exports is what Pocket.Runtime would load.
        try { _shapes = GraphShapes.Infer(_nodes); }
        catch (PocketRuntimeException e) { throw new OnnxExportException(e.Message); }
        _onnx = onnx;
        _values = new Value[_nodes.Count];
    }

    public TensorShape InputShape => _shapes[0];

    /// <summary>Lowers every node and returns the name and length of the network output (always 2-D [N, length]).</summary>
    public (string Name, long Length) Lower(string inputName, string outputName)
    {
        _onnx.Name(inputName);
        _onnx.Name(outputName);
        _values[0] = new Value(inputName, 4);
        for (int i = 1; i < _nodes.Count; i++) _values[i] = LowerNode(i, _nodes[i]);

        // Classifier logits are [N, classes] whatever shape the last op leaves (e.g. [N, C, 1, 1] after global pooling).
        Value last = As2D(_values[^1], _nodes.Count - 1);
        if (_onnx.IsProducedByNode(last.Name)) _onnx.Rename(last.Name, outputName);
        else _onnx.Node("Identity", outputName, [last.Name]); // the output is the input itself (a graph of Flatten only)
        return (outputName, _shapes[^1].Length);
    }

    private Value LowerNode(int i, GraphNode n)
    {
        int[] a = n.Attributes;
        Value x = _values[n.Inputs[0]];
        switch (n.Op)
        {
            case OpKind.Conv2d:
            {
                var inputs = new List<string> { As4D(x, n.Inputs[0]).Name, Weight(n, i, 0, [a[0], a[1] / Math.Max(1, a[8]), a[2], a[3]]) };
                if (HasTensor(n, 1)) inputs.Add(Weight(n, i, 1, [a[0]]));
                return new Value(_onnx.Node("Conv", n.Name, inputs.ToArray(),
                    OnnxAttribute.Ints("kernel_shape", a[2], a[3]),
                    OnnxAttribute.Ints("strides", a[4], a[5]),
                    OnnxAttribute.Ints("pads", a[6], a[7], a[6], a[7]),
                    OnnxAttribute.Int("group", a[8])), 4);
            }
            case OpKind.Linear:
            {
                // Gemm: Y = X · Wᵀ + b, with W stored [out, in] exactly as Pocket (and PyTorch) keep it.
                var inputs = new List<string> { As2D(x, n.Inputs[0]).Name, Weight(n, i, 0, [a[0], a[1]]) };
                if (HasTensor(n, 1)) inputs.Add(Weight(n, i, 1, [a[0]]));
                return new Value(_onnx.Node("Gemm", n.Name, inputs.ToArray(), OnnxAttribute.Int("transB", 1)), 2);
            }
            case OpKind.BatchNorm2d:
            {
                if (n.FloatAttributes.Length != 1) throw Error(n, i, "BatchNorm2d expects one float attribute [eps]");
                string[] inputs = [x.Name, .. Enumerable.Range(0, 4).Select(t => Weight(n, i, t, [a[0]]))];
                return new Value(_onnx.Node("BatchNormalization", n.Name, inputs, OnnxAttribute.Float("epsilon", n.FloatAttributes[0])), x.Rank);
            }
            case OpKind.Relu:
                return new Value(_onnx.Node("Relu", n.Name, [x.Name]), x.Rank);
            case OpKind.Sigmoid:
                return new Value(_onnx.Node("Sigmoid", n.Name, [x.Name]), x.Rank);
            case OpKind.LeakyRelu:
                return new Value(_onnx.Node("LeakyRelu", n.Name, [x.Name], OnnxAttribute.Float("alpha", n.FloatAttributes[0])), x.Rank);
            case OpKind.Relu6:
            {
                // Clip takes its bounds as inputs since opset 11; one pair of scalars serves every Relu6.
                _relu6Bounds ??= (_onnx.FloatInitializer("relu6.min", [], [0f]), _onnx.FloatInitializer("relu6.max", [], [6f]));
                return new Value(_onnx.Node("Clip", n.Name, [x.Name, _relu6Bounds.Value.Min, _relu6Bounds.Value.Max]), x.Rank);
            }
            case OpKind.MaxPool2d:
            case OpKind.AvgPool2d:
            {
                var attributes = new List<OnnxAttribute>
                {
                    OnnxAttribute.Ints("kernel_shape", a[0], a[1]),
                    OnnxAttribute.Ints("strides", a[2], a[3]),
                    OnnxAttribute.Ints("pads", a[4], a[5], a[4], a[5]),
                    OnnxAttribute.Int("ceil_mode", a[6]),
                };
                // PyTorch's default, which Pocket follows: padding cells count in the average's divisor.
                if (n.Op == OpKind.AvgPool2d) attributes.Add(OnnxAttribute.Int("count_include_pad", 1));
                string op = n.Op == OpKind.MaxPool2d ? "MaxPool" : "AveragePool";
                return new Value(_onnx.Node(op, n.Name, [As4D(x, n.Inputs[0]).Name], attributes.ToArray()), 4);
            }
            case OpKind.GlobalAvgPool:
                return new Value(_onnx.Node("GlobalAveragePool", n.Name, [As4D(x, n.Inputs[0]).Name]), 4);
            case OpKind.Concat:
            {
                // Channels are axis 1 in both ranks, but all inputs must share one rank.
                bool all2D = n.Inputs.All(v => _values[v].Rank == 2);
                string[] inputs = n.Inputs.Select(v => all2D ? _values[v].Name : As4D(_values[v], v).Name).ToArray();
                return new Value(_onnx.Node("Concat", n.Name, inputs, OnnxAttribute.Int("axis", 1)), all2D ? 2 : 4);
            }
            case OpKind.Add:
            {
                Value y = _values[n.Inputs[1]];
                if (x.Rank == y.Rank) return new Value(_onnx.Node("Add", n.Name, [x.Name, y.Name]), x.Rank);
                return new Value(_onnx.Node("Add", n.Name, [As4D(x, n.Inputs[0]).Name, As4D(y, n.Inputs[1]).Name]), 4);
            }
            case OpKind.Flatten:
                return As2D(x, n.Inputs[0], n.Name);
            case OpKind.Softmax:
                // Pocket's softmax runs over each sample's flattened values.
                return new Value(_onnx.Node("Softmax", n.Name, [As2D(x, n.Inputs[0]).Name], OnnxAttribute.Int("axis", 1)), 2);
            default:
                throw Error(n, i, $"op {n.Op} has no ONNX mapping");
        }
    }

    private Value As2D(Value v, int node, string? name = null) =>
        v.Rank == 2 ? v : new Value(_onnx.Node("Flatten", name ?? $"{_nodes[node].Name}.flat", [v.Name], OnnxAttribute.Int("axis", 1)), 2);

    private Value As4D(Value v, int node)
    {
        if (v.Rank == 4) return v;
        TensorShape s = _shapes[node];
        // 0 copies the batch dimension from the input, so the batch stays symbolic.
        string shape = _onnx.Int64Initializer($"{_nodes[node].Name}.chw", [0, s.Channels, s.Height, s.Width]);
        return new Value(_onnx.Node("Reshape", $"{_nodes[node].Name}.4d", [v.Name, shape]), 4);
    }

    private static bool HasTensor(GraphNode n, int index) => n.Tensors.Length > index && n.Tensors[index].Length > 0;

    /// <summary>The initializer for the node's <paramref name="index"/>-th tensor, decoded to dense float32 and
    /// checked against the shape the op implies.</summary>
    private string Weight(GraphNode n, int node, int index, int[] expectedShape)
    {
        if (!HasTensor(n, index)) throw Error(n, node, $"has no tensor {index}");
        string name = n.Tensors[index];
        if (_weights.TryGetValue(name, out string? existing)) return existing;
        if (!_model.Tensors.TryGetValue(name, out PocketTensor? tensor))
            throw Error(n, node, $"tensor '{name}' is not in the model");
        float[] values = tensor.ToDense();
        long expected = expectedShape.Aggregate(1L, (p, d) => p * d);
        if (values.Length != expected)
            throw Error(n, node, $"tensor '{name}' has {values.Length} values, the op needs [{string.Join(",", expectedShape)}]");
        string initializer = _onnx.FloatInitializer(name, expectedShape.Select(d => (long)d).ToArray(), values);
        _weights[name] = initializer;
        return initializer;
    }

    private static OnnxExportException Error(GraphNode n, int index, string message) => new($"node {index} '{n.Name}': {message}");
}
