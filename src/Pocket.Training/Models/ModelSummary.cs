using Pocket.Format;

namespace Pocket.Training.Models;

/// <summary>
/// Per-layer output shapes, parameter counts and mult-adds of a <see cref="ModelGraph"/>, found by walking the graph
/// with shape inference, so it describes exactly what the runtime would run. Counted as the papers count
/// (docs/models.md): a conv's mult-adds are outC·H'·W'·(inC/groups)·kH·kW, a fc's out·in; biases, BatchNorm,
/// activations, pools and adds cost nothing. <see cref="Weights"/> (conv + fc weights) reproduces MobileNet's
/// Table 6 and 7; <see cref="Parameters"/> (all learnable values) reproduces SqueezeNet's counts, biases included.
/// </summary>
public sealed record ModelSummary(IReadOnlyList<LayerSummary> Layers)
{
    public long Parameters => Layers.Sum(l => l.Parameters);
    public long Weights => Layers.Sum(l => l.Weights);
    public long MultAdds => Layers.Sum(l => l.MultAdds);

    /// <summary>The last node's output shape, C×H×W (a classifier's is classes×1×1).</summary>
    public int[] OutputShape => Layers[^1].OutputShape;

    public static ModelSummary Of(ModelGraph graph)
    {
        var shapes = new List<int[]>(graph.Nodes.Count);
        var layers = new List<LayerSummary>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            var inputs = node.Inputs.Select(i => shapes[i]).ToArray();
            var (shape, parameters, weights, multAdds) = Infer(node, inputs);
            shapes.Add(shape);
            layers.Add(new LayerSummary(node.Name, node.Op, shape, parameters, weights, multAdds));
        }
        return new ModelSummary(layers);
    }

    private static (int[] Shape, long Parameters, long Weights, long MultAdds) Infer(GraphNode node, int[][] inputs)
    {
        var a = node.Attributes;
        bool HasBias() => node.Tensors.Length > 1 && node.Tensors[1].Length > 0;
        switch (node.Op)
        {
            case OpKind.Input:
                return ([a[0], a[1], a[2]], 0, 0, 0);
            case OpKind.Conv2d:
            {
                int outC = a[0], inC = a[1], kH = a[2], kW = a[3], sH = a[4], sW = a[5], pH = a[6], pW = a[7], groups = a[8];
                var x = Single(node, inputs);
                if (x[0] != inC) throw Mismatch(node, $"expects {inC} input channels, gets {x[0]}");
                int h = (x[1] + 2 * pH - kH) / sH + 1, w = (x[2] + 2 * pW - kW) / sW + 1;
                if (h <= 0 || w <= 0) throw Mismatch(node, $"{kH}×{kW} kernel does not fit a {x[1]}×{x[2]} input");
                long weights = (long)outC * (inC / groups) * kH * kW;
                return ([outC, h, w], weights + (HasBias() ? outC : 0), weights, weights * h * w);
            }
            case OpKind.Linear:
            {
                int outF = a[0], inF = a[1];
                var x = Single(node, inputs);
                if ((long)x[0] * x[1] * x[2] != inF) throw Mismatch(node, $"expects {inF} inputs, gets {string.Join("×", x)}");
                long weights = (long)outF * inF;
                return ([outF, 1, 1], weights + (HasBias() ? outF : 0), weights, weights);
            }
            case OpKind.BatchNorm2d:
            {
                var x = Single(node, inputs);
                if (x[0] != a[0]) throw Mismatch(node, $"normalises {a[0]} channels, gets {x[0]}");
                return (x, 2L * a[0], 0, 0); // γ and β are learned; the running statistics are not parameters
            }
            case OpKind.MaxPool2d or OpKind.AvgPool2d:
            {
                var x = Single(node, inputs);
                bool ceil = a[6] != 0;
                return ([x[0], PooledSize(x[1], a[0], a[2], a[4], ceil), PooledSize(x[2], a[1], a[3], a[5], ceil)], 0, 0, 0);
            }
            case OpKind.GlobalAvgPool:
                return ([Single(node, inputs)[0], 1, 1], 0, 0, 0);
            case OpKind.Concat:
            {
                if (inputs.Length == 0 || inputs.Any(x => x[1] != inputs[0][1] || x[2] != inputs[0][2]))
                    throw Mismatch(node, "inputs differ in height or width");
                return ([inputs.Sum(x => x[0]), inputs[0][1], inputs[0][2]], 0, 0, 0);
            }
            case OpKind.Add:
            {
                if (inputs.Length != 2 || !inputs[0].SequenceEqual(inputs[1]))
                    throw Mismatch(node, $"adds {string.Join(" and ", inputs.Select(x => string.Join("×", x)))}");
                return (inputs[0], 0, 0, 0);
            }
            case OpKind.Flatten:
            {
                var x = Single(node, inputs);
                return ([x[0] * x[1] * x[2], 1, 1], 0, 0, 0);
            }
            case OpKind.Relu or OpKind.Relu6 or OpKind.Softmax:
                return (Single(node, inputs), 0, 0, 0);
            default:
                throw new NotSupportedException($"{node.Name}: op {node.Op} has no shape rule");
        }
    }

    /// <summary>PyTorch's pooling output size, including its ceil-mode rule that the last window must start inside
    /// the input or its left padding.</summary>
    public static int PooledSize(int size, int kernel, int stride, int padding, bool ceilMode)
    {
        int span = size + 2 * padding - kernel;
        int output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= size + padding) output--;
        return output;
    }

    private static int[] Single(GraphNode node, int[][] inputs) =>
        inputs.Length == 1 ? inputs[0] : throw Mismatch(node, $"takes one input, has {inputs.Length}");

    private static InvalidOperationException Mismatch(GraphNode node, string problem) =>
        new($"graph node {node.Name} ({node.Op}) {problem}");
}
