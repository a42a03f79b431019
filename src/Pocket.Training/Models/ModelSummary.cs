using Pocket.Format;
using Pocket.Runtime;

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
        // The shapes come from the runtime's one shape rule (GraphShapes), so a summary describes exactly what
        // Pocket.Runtime would run and refuses what it would refuse; this class only counts.
        var shapes = GraphShapes.Infer(graph.Nodes);
        var layers = new List<LayerSummary>(graph.Nodes.Count);
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var shape = shapes[i];
            var (parameters, weights, multAdds) = Count(node, shape);
            layers.Add(new LayerSummary(node.Name, node.Op, [shape.Channels, shape.Height, shape.Width], parameters, weights, multAdds));
        }
        return new ModelSummary(layers);
    }

    private static (long Parameters, long Weights, long MultAdds) Count(GraphNode node, TensorShape output)
    {
        var a = node.Attributes;
        bool hasBias = node.Tensors.Length > 1 && node.Tensors[1].Length > 0;
        switch (node.Op)
        {
            case OpKind.Conv2d:
            {
                int outC = a[0], inC = a[1], kH = a[2], kW = a[3], groups = a[8];
                long weights = (long)outC * (inC / groups) * kH * kW;
                return (weights + (hasBias ? outC : 0), weights, weights * output.Height * output.Width);
            }
            case OpKind.Linear:
            {
                long weights = (long)a[0] * a[1];
                return (weights + (hasBias ? a[0] : 0), weights, weights);
            }
            case OpKind.BatchNorm2d:
                return (2L * a[0], 0, 0); // γ and β are learned; the running statistics are not parameters
            default:
                return (0, 0, 0); // activations, pools, concat, add, flatten cost nothing in the papers' count
        }
    }
}
