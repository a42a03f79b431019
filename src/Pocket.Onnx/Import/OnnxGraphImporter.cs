using Onnx;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx;

/// <summary>
/// Turns an ONNX graph into a Pocket <see cref="ModelGraph"/>, node by node, in the file's (topological) order.
/// Every ONNX value becomes either a constant (folded into the weights or attributes of its readers) or an
/// activation of a Pocket node. The ONNX tensors carry a batch axis first; Pocket's ops work on one sample, so an
/// activation is [N, C, H, W] (rank 4) or [N, F] (rank 2), and shape arithmetic on constants folds the batch as 1.
/// Shapes come from the runtime's own rule (<see cref="GraphShapes"/>) after each node, so a graph accepted here is
/// one Pocket.Runtime loads, and a shape the file gets wrong is reported at the node that breaks it.
/// </summary>
internal sealed partial class OnnxGraphImporter
{
    private readonly List<GraphNode> _nodes = [];
    private readonly Dictionary<string, PocketTensor> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImportedValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    /// <summary>For each Pocket node, the ONNX value it was created for (the only name through which its bias may be changed).</summary>
    private readonly List<string> _producedFor = [];
    private TensorShape[] _shapes = [];
    private readonly int _opset;

    public OnnxGraphImporter(int opset) => _opset = opset;

    public IReadOnlyList<GraphNode> Nodes => _nodes;

    public IReadOnlyDictionary<string, PocketTensor> Tensors => _tensors;

    public TensorShape ShapeOf(int node) => _shapes[node];

    /// <summary>Imports <paramref name="graph"/> whose single activation input is <paramref name="inputName"/> of one sample's
    /// shape <paramref name="input"/> and rank <paramref name="rank"/>; returns the output's activation.</summary>
    public ActivationValue Import(GraphProto graph, string inputName, TensorShape input, int rank)
    {
        foreach (NodeProto node in graph.Node)
            foreach (string i in node.Input)
                if (i.Length > 0) _uses[i] = _uses.GetValueOrDefault(i) + 1;
        foreach (ValueInfoProto o in graph.Output) _uses[o.Name] = _uses.GetValueOrDefault(o.Name) + 1;

        foreach (TensorProto t in graph.Initializer)
        {
            if (t.Name.Length == 0) throw new OnnxImportException("an initializer has no name");
            _values[t.Name] = new ConstantValue(OnnxTensorReader.Read(t, $"initializer '{t.Name}'"));
        }

        Emit(null, inputName, GraphNode.Create(UniqueName("input"), OpKind.Input, [], [input.Channels, input.Height, input.Width]));
        _values[inputName] = new ActivationValue(0, rank);

        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = new OnnxNode(graph.Node[i], i, _opset);
            if (node.Proto.Domain.Length > 0 && node.Proto.Domain != "ai.onnx")
                throw new OnnxImportException($"node '{node.Name}': {node.OpType} of domain '{node.Proto.Domain}' is not supported (opset {_opset})");
            if (node.Proto.Output.Count == 0) throw node.Error("has no outputs");
            ImportNode(node);
        }

        if (graph.Output.Count != 1)
            throw new OnnxImportException($"the graph has {graph.Output.Count} outputs; a Pocket model has exactly one");
        string output = graph.Output[0].Name;
        return _values.GetValueOrDefault(output) switch
        {
            ActivationValue { HasPendingPad: false } a when a.Node > 0 => a,
            ActivationValue { HasPendingPad: true } => throw new OnnxImportException($"graph output '{output}' is a Pad result no conv or pool reads"),
            ActivationValue => throw new OnnxImportException($"graph output '{output}' is the graph input itself"),
            ConstantValue => throw new OnnxImportException($"graph output '{output}' is a constant, it does not depend on the input"),
            _ => throw new OnnxImportException($"graph output '{output}' is not produced by any node"),
        };
    }

    // ---------------------------------------------------------------- values

    private ImportedValue Value(OnnxNode n, string? name, string what)
    {
        if (name is null) throw n.Error($"has no {what} input");
        return _values.TryGetValue(name, out ImportedValue? v) ? v
            : throw n.Error($"input '{name}' is not produced by an earlier node, an initializer or the graph input");
    }

    private ActivationValue Activation(OnnxNode n, int input, bool padAllowed = false)
    {
        ImportedValue v = Value(n, n.Input(input), $"#{input}");
        if (v is not ActivationValue a)
            throw n.Unsupported($"with a constant input #{input} where an activation is expected ");
        if (a.HasPendingPad && !padAllowed)
            throw n.Unsupported("reading a Pad result (a zero Pad folds only into the Conv or pool after it) ");
        return a;
    }

    private ConstantTensor Constant(OnnxNode n, int input, string what)
    {
        ImportedValue v = Value(n, n.Input(input), what);
        return v is ConstantValue c ? c.Tensor : throw n.Unsupported($"with a computed {what} (it must be a constant or initializer) ");
    }

    private ConstantTensor? OptionalConstant(OnnxNode n, int input, string what) =>
        n.Input(input) is null ? null : Constant(n, input, what);

    private void SetOutput(OnnxNode n, ImportedValue value)
    {
        for (int i = 1; i < n.Proto.Output.Count; i++)
            if (n.Proto.Output[i].Length > 0 && _uses.GetValueOrDefault(n.Proto.Output[i]) > 0)
                throw n.Unsupported($"with its output #{i} ('{n.Proto.Output[i]}') in use ");
        _values[n.Output(0)] = value;
    }

    private bool AllConstant(OnnxNode n) =>
        n.Proto.Input.Where(i => i.Length > 0).All(i => _values.GetValueOrDefault(i) is ConstantValue);

    // ---------------------------------------------------------------- Pocket nodes

    private string UniqueName(string wanted)
    {
        string name = wanted.Length > 0 ? wanted : "node";
        for (int k = 1; !_names.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    private string AddTensor(string name, int[] shape, float[] values)
    {
        string unique = name;
        for (int k = 1; _tensors.ContainsKey(unique); k++) unique = $"{name}_{k}";
        _tensors[unique] = new DenseTensor(unique, shape, values);
        return unique;
    }

    /// <summary>Appends a Pocket node and infers its shape with the runtime's rule; a rule the node breaks is this node's error.</summary>
    private int Emit(OnnxNode? n, string producedFor, GraphNode node)
    {
        _nodes.Add(node);
        _producedFor.Add(producedFor);
        try { _shapes = GraphShapes.Infer(_nodes); }
        catch (PocketRuntimeException e)
        {
            string message = $"inconsistent shapes: {e.Message}";
            throw n is null ? new OnnxImportException(message) : n.Error(message);
        }
        return _nodes.Count - 1;
    }

    private ActivationValue EmitActivation(OnnxNode n, OpKind op, int[] inputs, int rank, int[]? attributes = null,
        string[]? tensors = null, float[]? floats = null)
    {
        int index = Emit(n, n.Output(0), GraphNode.Create(UniqueName(n.Name), op, inputs, attributes, tensors, floats));
        return new ActivationValue(index, rank);
    }

    private TensorShape Shape(ActivationValue a) => _shapes[a.Node];

    /// <summary>The ONNX dimensions of an activation with the batch folded as 1 (rank 3 is [N, C, H] of a C × H × 1 sample,
    /// between two Squeezes).</summary>
    private long[] OnnxDims(ActivationValue a)
    {
        TensorShape s = Shape(a);
        return a.Rank switch { 4 => [1, s.Channels, s.Height, s.Width], 3 => [1, s.Channels, s.Height], _ => [1, s.Length] };
    }
}
