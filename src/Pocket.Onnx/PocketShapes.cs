using Pocket.Format;

namespace Pocket.Onnx;

/// <summary>
/// Per-node output shapes of a Pocket graph, with the same arithmetic as Pocket.Runtime (PyTorch's conv and pool
/// rules, including ceil mode dropping a last window that would start in the right padding). Validates attribute
/// counts and input indices so that a malformed graph fails here with the node's name, not inside ONNX Runtime.
/// </summary>
internal static class PocketShapes
{
    public static ChwShape[] Infer(IReadOnlyList<GraphNode> nodes)
    {
        if (nodes.Count == 0) throw new OnnxExportException("graph has no nodes");
        var shapes = new ChwShape[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            GraphNode n = nodes[i];
            if (i == 0)
            {
                if (n.Op != OpKind.Input) throw Error(n, i, $"node 0 must be Input, got {n.Op}");
                Expect(n, i, 3);
                shapes[0] = new ChwShape(n.Attributes[0], n.Attributes[1], n.Attributes[2]);
                continue;
            }
            if (n.Inputs.Length == 0) throw Error(n, i, "has no inputs");
            foreach (int x in n.Inputs)
                if (x < 0 || x >= i) throw Error(n, i, $"input index {x} must refer to an earlier node");
            ChwShape input = shapes[n.Inputs[0]];
            int[] a = n.Attributes;
            shapes[i] = n.Op switch
            {
                OpKind.Conv2d => Expect(n, i, 9) is var _ && a[1] == input.Channels
                    ? new ChwShape(a[0], ConvSize(input.Height, a[2], a[4], a[6]), ConvSize(input.Width, a[3], a[5], a[7]))
                    : throw Error(n, i, $"expects {a[1]} input channels, its input is {input}"),
                OpKind.Linear => Expect(n, i, 2) is var _ && a[1] == input.Length
                    ? new ChwShape(a[0], 1, 1)
                    : throw Error(n, i, $"expects {a[1]} input features, its input is {input}"),
                OpKind.MaxPool2d or OpKind.AvgPool2d => Expect(n, i, 7) is var _
                    ? new ChwShape(input.Channels, PoolSize(input.Height, a[0], a[2], a[4], a[6] != 0), PoolSize(input.Width, a[1], a[3], a[5], a[6] != 0))
                    : default,
                OpKind.GlobalAvgPool => new ChwShape(input.Channels, 1, 1),
                OpKind.Flatten => new ChwShape(checked((int)input.Length), 1, 1),
                OpKind.Concat => input with { Channels = n.Inputs.Sum(x => shapes[x].Channels) },
                OpKind.BatchNorm2d or OpKind.Relu or OpKind.Relu6 or OpKind.Add or OpKind.Softmax => input,
                _ => throw Error(n, i, $"op {n.Op} has no ONNX mapping"),
            };
            if (shapes[i].Channels <= 0 || shapes[i].Height <= 0 || shapes[i].Width <= 0)
                throw Error(n, i, $"gives an empty output {shapes[i]}");
        }
        return shapes;
    }

    private static int ConvSize(int input, int kernel, int stride, int pad) =>
        stride <= 0 ? 0 : (input + 2 * pad - kernel) / stride + 1;

    /// <summary>PyTorch's pooling output size (what Pocket.Runtime computes).</summary>
    public static int PoolSize(int input, int kernel, int stride, int pad, bool ceilMode)
    {
        int span = input + 2 * pad - kernel;
        if (span < 0 || stride <= 0) return 0;
        int output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    private static bool Expect(GraphNode n, int index, int count) =>
        n.Attributes.Length == count ? true : throw Error(n, index, $"{n.Op} expects {count} attributes, got {n.Attributes.Length}");

    public static OnnxExportException Error(GraphNode n, int index, string message) =>
        new($"node {index} '{n.Name}': {message}");
}
