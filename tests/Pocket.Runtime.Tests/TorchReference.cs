using Pocket.Format;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Runtime.Tests;

/// <summary>
/// An independent interpreter of Pocket graphs built from TorchSharp functional ops (no fusion, BatchNorm via
/// F.batch_norm, weights densified with ToDense), used as the ground truth for the runtime. It computes in
/// float64: libtorch's float32 conv goes through oneDNN, which is wrong on some CPUs (AMD Zen 5), while its
/// float64 ops are libtorch's own kernels, right on every machine.
/// </summary>
internal static class TorchReference
{
    private static readonly object Gate = new();

    public static float[] Run(PocketModel model, float[] input, int batch)
    {
        lock (Gate)
        {
            using var scope = NewDisposeScope();
            IReadOnlyList<GraphNode> nodes = model.Graph.Nodes;
            var values = new Tensor[nodes.Count];
            int[] a0 = nodes[0].Attributes;
            values[0] = tensor(input.Select(v => (double)v).ToArray(), [batch, a0[0], a0[1], a0[2]]);
            for (int i = 1; i < nodes.Count; i++)
            {
                GraphNode n = nodes[i];
                Tensor x = values[n.Inputs[0]];
                int[] a = n.Attributes;
                values[i] = n.Op switch
                {
                    OpKind.Conv2d => nn.functional.conv2d(x, Weight(model, n.Tensors[0], [a[0], a[1] / a[8], a[2], a[3]]), Bias(model, n),
                        strides: [a[4], a[5]], padding: [a[6], a[7]], dilation: [1, 1], groups: a[8]),
                    OpKind.Linear => nn.functional.linear(x.reshape(batch, -1), Weight(model, n.Tensors[0], [a[0], a[1]]), Bias(model, n))
                        .reshape(batch, a[0], 1, 1),
                    OpKind.Relu => nn.functional.relu(x),
                    OpKind.Relu6 => nn.functional.relu6(x),
                    OpKind.MaxPool2d => nn.functional.max_pool2d(x, [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], [1, 1], a[6] != 0),
                    OpKind.AvgPool2d => nn.functional.avg_pool2d(x, [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], a[6] != 0, true),
                    OpKind.GlobalAvgPool => x.mean([2, 3], keepdim: true),
                    OpKind.Concat => cat(n.Inputs.Select(j => values[j]).ToArray(), 1),
                    OpKind.Add => x + values[n.Inputs[1]],
                    OpKind.Flatten => x.reshape(batch, -1, 1, 1),
                    OpKind.Softmax => nn.functional.softmax(x.reshape(batch, -1), 1).reshape(x.shape),
                    OpKind.BatchNorm2d => nn.functional.batch_norm(x,
                        Weight(model, n.Tensors[2], [a[0]]), Weight(model, n.Tensors[3], [a[0]]),
                        Weight(model, n.Tensors[0], [a[0]]), Weight(model, n.Tensors[1], [a[0]]),
                        false, 0.1, n.FloatAttributes[0]),
                    _ => throw new NotSupportedException(n.Op.ToString()),
                };
            }
            return values[^1].contiguous().reshape(-1).data<double>().Select(v => (float)v).ToArray();
        }
    }

    private static Tensor Weight(PocketModel model, string name, long[] shape) =>
        tensor(model.Tensors[name].ToDense().Select(v => (double)v).ToArray(), shape);

    private static Tensor? Bias(PocketModel model, GraphNode n) =>
        n.Tensors.Length > 1 && n.Tensors[1] != "" ? Weight(model, n.Tensors[1], [n.Attributes[0]]) : null;
}
