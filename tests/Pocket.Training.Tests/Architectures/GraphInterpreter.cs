using Pocket.Format;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.Architectures;

/// <summary>
/// Runs a <see cref="ModelGraph"/> with TorchSharp's functional ops and the module's state_dict, batch first, in
/// inference mode. It reads only the graph, so agreeing with the module's forward proves the graph mirrors it.
/// </summary>
public static class GraphInterpreter
{
    public static Tensor Run(ModelGraph graph, IReadOnlyDictionary<string, Tensor> tensors, Tensor input)
    {
        var values = new List<Tensor>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            var x = node.Inputs.Select(i => values[i]).ToArray();
            var a = node.Attributes;
            Tensor T(int i) => tensors[node.Tensors[i]];
            Tensor? Optional(int i) => node.Tensors.Length > i && node.Tensors[i].Length > 0 ? tensors[node.Tensors[i]] : null;
            values.Add(node.Op switch
            {
                OpKind.Input => input,
                OpKind.Conv2d => nn.functional.conv2d(x[0], T(0), Optional(1), strides: [a[4], a[5]], padding: [a[6], a[7]], groups: a[8]),
                OpKind.Linear => nn.functional.linear(x[0].flatten(1), T(0), Optional(1)).reshape(-1, a[0], 1, 1),
                OpKind.BatchNorm2d => BatchNorm(x[0], T(0), T(1), T(2), T(3), node.FloatAttributes[0]),
                OpKind.Relu => x[0].relu(),
                OpKind.Relu6 => x[0].clamp(0, 6),
                OpKind.MaxPool2d => nn.functional.max_pool2d(x[0], [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], ceil_mode: a[6] != 0),
                OpKind.AvgPool2d => nn.functional.avg_pool2d(x[0], [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], ceil_mode: a[6] != 0),
                OpKind.GlobalAvgPool => x[0].mean([2, 3], keepdim: true),
                OpKind.Concat => cat(x, 1),
                OpKind.Add => x[0] + x[1],
                OpKind.Flatten => x[0].flatten(1).reshape(x[0].shape[0], -1, 1, 1),
                OpKind.Softmax => x[0].flatten(1).softmax(1).reshape(x[0].shape[0], -1, 1, 1),
                _ => throw new NotSupportedException(node.Op.ToString()),
            });
        }
        return values[^1];
    }

    private static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor variance, float eps)
    {
        Tensor C(Tensor t) => t.reshape(1, -1, 1, 1);
        return (x - C(mean)) / (C(variance) + eps).sqrt() * C(gamma) + C(beta);
    }
}
