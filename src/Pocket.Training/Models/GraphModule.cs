using Pocket.Format;
using Pocket.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// Any Pocket <see cref="ModelGraph"/> as a TorchSharp module: a model trained elsewhere and imported from ONNX (or a
/// .pocket file of a model outside the zoo) trains, prunes, quantizes and binarizes exactly like a zoo model. Every
/// tensor the graph names is a parameter or buffer whose state_dict key is that name, so <see cref="ExportGraph"/>
/// returns the graph itself and the checkpoint's state is the graph's tensors.
/// <para>
/// The graph is validated, and its shapes inferred, by the runtime's own rule (<see cref="GraphShapes"/>): a graph this
/// module accepts is one Pocket.Runtime loads. Activations are NCHW, a flat one N × L × 1 × 1, as the runtime holds them;
/// forward returns the output node flattened, [batch, classes].
/// </para>
/// <para>
/// Trainable: conv and fc weights and biases, and BatchNorm's γ and β; a BatchNorm2d uses batch statistics while
/// training and updates its running statistics (momentum 0.1), as the zoo's nn.BatchNorm2d does. A BatchNorm2d with
/// eps = 0 is how the importer writes a per-channel constant scale and shift (ONNX Mul/Sub/Div/Add by a constant: mean
/// 0, variance 1): the source model did not learn it and batch statistics would change what it computes, so it is a
/// fixed affine map, all four tensors buffers. A final Softmax is skipped while training: cross-entropy takes logits,
/// and softmax does not change the argmax evaluation takes.
/// </para>
/// </summary>
public sealed class GraphModule : PocketModule
{
    /// <summary>The model name of a checkpoint built from an imported graph (not a zoo name, so recipes take their defaults).</summary>
    public const string ImportedModelName = ModelMetadata.ImportedModel;

    /// <summary>torch's default BatchNorm momentum, the zoo's too.</summary>
    private const double BatchNormMomentum = 0.1;

    private readonly ModelGraph _graph;
    private readonly TensorShape[] _shapes;
    private readonly List<string> _compressible = [];

    /// <summary>
    /// Builds the module with zero tensors of the shapes the graph's nodes need; load weights with
    /// <see cref="Checkpoints.ModuleState.Load"/>. Throws <see cref="ArgumentException"/> with one line naming the node
    /// for a graph the runtime would refuse or whose tensors disagree.
    /// </summary>
    public GraphModule(ModelGraph graph, ModelSpec spec) : this(graph, spec, Shapes(graph)) { }

    private GraphModule(ModelGraph graph, ModelSpec spec, TensorShape[] shapes)
        : base(nameof(GraphModule), spec, InputOf(shapes[0]), shapes[^1].Length)
    {
        _graph = graph;
        _shapes = shapes;
        using var _ = no_grad();
        foreach (Declaration d in Declarations(graph, shapes))
        {
            Tensor value = zeros(d.Shape);
            if (d.Kind == TensorKind.Parameter) register_parameter(d.Name, new Parameter(value));
            else register_buffer(d.Name, value);
            if (d.Compressible) _compressible.Add(d.Name);
        }
    }

    /// <summary>
    /// Every tensor the graph reads, with the shape its nodes read it as, in node order: the state a checkpoint of this
    /// graph must hold, checked before anything of that size is allocated. Throws <see cref="ArgumentException"/> like the constructor.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)> TensorShapes(ModelGraph graph) =>
        Declarations(graph, Shapes(graph)).Select(d => (d.Name, d.Shape)).ToList();

    /// <summary>The graph this module runs (its tensor names are this module's state_dict keys).</summary>
    public override ModelGraph ExportGraph() => _graph;

    /// <summary>Every conv and fc weight, in node order, whatever the graph calls it.</summary>
    public override IReadOnlyList<(string Name, Parameter Weight)> CompressibleWeights()
    {
        var parameters = named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        return _compressible.Select(name => (name, parameters[name])).ToList();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Looked up on each call, not cached: module.to(dtype) replaces the registered tensors.
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in named_parameters(recurse: false)) tensors[name] = p;
        foreach (var (name, b) in named_buffers(recurse: false)) tensors[name] = b;
        Tensor? Optional(string name) => name.Length == 0 ? null : tensors[name];

        IReadOnlyList<GraphNode> nodes = _graph.Nodes;
        long batch = input.shape[0];
        int output = nodes.Count - 1, last = output;
        if (training && nodes[output].Op == OpKind.Softmax) (output, last) = (nodes[output].Inputs[0], output - 1);
        var values = new Tensor[nodes.Count];
        values[0] = input.reshape(batch, _shapes[0].Channels, _shapes[0].Height, _shapes[0].Width);
        for (int i = 1; i <= last; i++)
        {
            GraphNode n = nodes[i];
            int[] a = n.Attributes;
            Tensor x = values[n.Inputs[0]];
            values[i] = n.Op switch
            {
                OpKind.Conv2d => nn.functional.conv2d(x, tensors[n.Tensors[0]], Optional(n.Tensors[1]),
                    strides: [a[4], a[5]], padding: [a[6], a[7]], groups: a[8]),
                OpKind.Linear => nn.functional.linear(x.reshape(batch, a[1]), tensors[n.Tensors[0]], Optional(n.Tensors[1]))
                    .reshape(batch, a[0], 1, 1),
                OpKind.BatchNorm2d => nn.functional.batch_norm(x, tensors[n.Tensors[2]], tensors[n.Tensors[3]],
                    tensors[n.Tensors[0]], tensors[n.Tensors[1]], training && !IsFixedAffine(n), BatchNormMomentum, n.FloatAttributes[0]),
                OpKind.Relu => nn.functional.relu(x),
                OpKind.Relu6 => nn.functional.relu6(x),
                OpKind.Sigmoid => nn.functional.sigmoid(x),
                OpKind.LeakyRelu => nn.functional.leaky_relu(x, n.FloatAttributes[0]),
                OpKind.MaxPool2d => nn.functional.max_pool2d(x, [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], ceil_mode: a[6] != 0),
                OpKind.AvgPool2d => nn.functional.avg_pool2d(x, [a[0], a[1]], [a[2], a[3]], [a[4], a[5]], ceil_mode: a[6] != 0, count_include_pad: true),
                OpKind.GlobalAvgPool => x.mean([2, 3], keepdim: true),
                OpKind.Concat => cat(n.Inputs.Select(j => values[j]).ToList(), 1),
                OpKind.Add => x + values[n.Inputs[1]],
                OpKind.Flatten => x.reshape(batch, _shapes[i].Channels, 1, 1),
                OpKind.Softmax => nn.functional.softmax(x.reshape(batch, -1), 1).reshape(x.shape),
                _ => throw new InvalidOperationException($"node {i} '{n.Name}': op {n.Op} has no forward"), // GraphShapes refused it already
            };
        }
        return values[output].reshape(batch, -1).MoveToOuterDisposeScope();
    }

    private enum TensorKind { Parameter, Buffer }

    private sealed record Declaration(string Name, long[] Shape, TensorKind Kind, bool Compressible);

    /// <summary>Each tensor once: a tensor two nodes read (a shared weight) is one parameter, if they agree on its shape.</summary>
    private static List<Declaration> Declarations(ModelGraph graph, TensorShape[] shapes)
    {
        var declared = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var result = new List<Declaration>();
        for (int i = 1; i < graph.Nodes.Count; i++)
        {
            GraphNode n = graph.Nodes[i];
            foreach (var (name, shape, kind) in TensorsOf(i, n, shapes))
            {
                if (name.Length == 0) continue; // an absent optional bias
                if (declared.TryGetValue(name, out long[]? earlier))
                {
                    if (!earlier.SequenceEqual(shape))
                        throw NodeError(i, n, $"reads tensor '{name}' as [{string.Join(",", shape)}], an earlier node as [{string.Join(",", earlier)}]");
                    continue;
                }
                declared[name] = shape;
                bool compressible = kind == TensorKind.Parameter && n.Op is OpKind.Conv2d or OpKind.Linear && name == n.Tensors[0];
                result.Add(new Declaration(name, shape, kind, compressible));
            }
        }
        return result;
    }

    /// <summary>The importer's constant per-channel scale and shift (see the class summary).</summary>
    private static bool IsFixedAffine(GraphNode batchNorm) => batchNorm.FloatAttributes[0] == 0f;

    /// <summary>The tensors a node reads, with the shape it reads them as and whether training changes them.</summary>
    private static IEnumerable<(string Name, long[] Shape, TensorKind Kind)> TensorsOf(int index, GraphNode n, TensorShape[] shapes)
    {
        int[] a = n.Attributes;
        (string[] Roles, long[][] Shapes, TensorKind[] Kinds, int Required) layout = n.Op switch
        {
            OpKind.Conv2d => (["weight", "bias"], [[a[0], a[1] / a[8], a[2], a[3]], [a[0]]], [TensorKind.Parameter, TensorKind.Parameter], 1),
            OpKind.Linear => (["weight", "bias"], [[a[0], a[1]], [a[0]]], [TensorKind.Parameter, TensorKind.Parameter], 1),
            OpKind.BatchNorm2d => (["weight", "bias", "running_mean", "running_var"], [[a[0]], [a[0]], [a[0]], [a[0]]],
                IsFixedAffine(n) ? [TensorKind.Buffer, TensorKind.Buffer, TensorKind.Buffer, TensorKind.Buffer]
                    : [TensorKind.Parameter, TensorKind.Parameter, TensorKind.Buffer, TensorKind.Buffer], 4),
            _ => ([], [], [], 0),
        };
        if (n.Tensors.Length > layout.Roles.Length)
            throw NodeError(index, n, $"{n.Op} reads at most {layout.Roles.Length} tensor(s), the node names {n.Tensors.Length}");
        for (int t = 0; t < layout.Roles.Length; t++)
        {
            string name = t < n.Tensors.Length ? n.Tensors[t] : "";
            if (name.Length == 0 && t < layout.Required) throw NodeError(index, n, $"has no {layout.Roles[t]} tensor");
            yield return (name, layout.Shapes[t], layout.Kinds[t]);
        }
    }

    private static TensorShape[] Shapes(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        try { return GraphShapes.Infer(graph.Nodes); }
        catch (PocketRuntimeException e) { throw new ArgumentException($"graph: {e.Message}"); }
    }

    private static InputShape InputOf(TensorShape shape) => new(shape.Channels, shape.Height, shape.Width);

    private static ArgumentException NodeError(int index, GraphNode n, string problem) => new($"graph: node {index} '{n.Name}': {problem}");
}
