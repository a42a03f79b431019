using Pocket.Format;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// Writes a model's <see cref="ModelGraph"/> as the model's forward pass would run, one call per operation.
/// Layer shapes are read from the weights themselves, so the graph cannot disagree with the parameters;
/// tensor names are "{layer}.weight" / "{layer}.bias", the keys of the module's state_dict.
/// </summary>
public sealed class GraphBuilder
{
    private readonly List<GraphNode> _nodes = [];
    private int _anonymous;

    public GraphBuilder(InputShape input) =>
        _nodes.Add(GraphNode.Create("input", OpKind.Input, [], [input.Channels, input.Height, input.Width]));

    /// <summary>The input node's index (always 0).</summary>
    public int Input => 0;

    public ModelGraph Build() => new(_nodes.ToArray());

    public int Conv(string name, int x, nn.Module<Tensor, Tensor> conv, int stride = 1, int padding = 0, int groups = 1)
    {
        var (weight, hasBias) = Parameters(conv);
        long[] s = weight.shape;
        int outC = (int)s[0], inC = (int)s[1] * groups, kH = (int)s[2], kW = (int)s[3];
        return Add(name, OpKind.Conv2d, [x], [outC, inC, kH, kW, stride, stride, padding, padding, groups],
            [$"{name}.weight", hasBias ? $"{name}.bias" : ""]);
    }

    public int Linear(string name, int x, nn.Module<Tensor, Tensor> linear)
    {
        var (weight, hasBias) = Parameters(linear);
        return Add(name, OpKind.Linear, [x], [(int)weight.shape[0], (int)weight.shape[1]],
            [$"{name}.weight", hasBias ? $"{name}.bias" : ""]);
    }

    public int BatchNorm(string name, int x, int channels, double eps = 1e-5) =>
        Add(name, OpKind.BatchNorm2d, [x], [channels],
            [$"{name}.weight", $"{name}.bias", $"{name}.running_mean", $"{name}.running_var"], [(float)eps]);

    public int Relu(int x) => Add(Anonymous("relu"), OpKind.Relu, [x]);

    public int Relu6(int x) => Add(Anonymous("relu6"), OpKind.Relu6, [x]);

    public int MaxPool(int x, int kernel, int stride, int padding = 0, bool ceilMode = false) =>
        Add(Anonymous("maxpool"), OpKind.MaxPool2d, [x], [kernel, kernel, stride, stride, padding, padding, ceilMode ? 1 : 0]);

    public int AvgPool(int x, int kernel, int stride, int padding = 0, bool ceilMode = false) =>
        Add(Anonymous("avgpool"), OpKind.AvgPool2d, [x], [kernel, kernel, stride, stride, padding, padding, ceilMode ? 1 : 0]);

    public int GlobalAvgPool(int x) => Add(Anonymous("gap"), OpKind.GlobalAvgPool, [x]);

    public int Concat(params int[] inputs) => Add(Anonymous("concat"), OpKind.Concat, inputs);

    public int Sum(int a, int b) => Add(Anonymous("add"), OpKind.Add, [a, b]);

    public int Flatten(int x) => Add(Anonymous("flatten"), OpKind.Flatten, [x]);

    public int Softmax(int x) => Add(Anonymous("softmax"), OpKind.Softmax, [x]);

    private int Add(string name, OpKind op, int[] inputs, int[]? attributes = null, string[]? tensors = null, float[]? floats = null)
    {
        foreach (int i in inputs)
            if (i < 0 || i >= _nodes.Count) throw new ArgumentOutOfRangeException(nameof(inputs), $"{name}: input {i} is not an earlier node");
        _nodes.Add(GraphNode.Create(name, op, inputs, attributes, tensors, floats));
        return _nodes.Count - 1;
    }

    private string Anonymous(string kind) => $"{kind}{_anonymous++}";

    private static (Tensor Weight, bool HasBias) Parameters(nn.Module module)
    {
        Tensor? weight = null;
        bool hasBias = false;
        foreach (var (name, p) in module.named_parameters(recurse: false))
        {
            if (name == "weight") weight = p;
            else if (name == "bias") hasBias = true;
        }
        return (weight ?? throw new ArgumentException($"module {module.GetName()} has no weight"), hasBias);
    }
}
