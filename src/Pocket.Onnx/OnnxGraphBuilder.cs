using System.Runtime.InteropServices;

namespace Pocket.Onnx;

/// <summary>
/// Collects ONNX nodes and initializers with unique value names, then writes them as a ModelProto. Nodes are kept
/// as plain records until the end so the graph output can be renamed to "logits" wherever it appears.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private sealed record NodeSpec(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

    private sealed record Initializer(string Name, long[] Dims, int DataType, byte[] Raw);

    private readonly List<NodeSpec> _nodes = [];
    private readonly List<Initializer> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public int NodeCount => _nodes.Count;

    public int InitializerCount => _initializers.Count;

    /// <summary>Bytes of float32 initializers (weights, biases, BatchNorm statistics), not the int64 shape constants.</summary>
    public long FloatInitializerBytes => _initializers.Where(i => i.DataType == OnnxFields.Tensor.Float).Sum(i => (long)i.Raw.Length);

    /// <summary>Claims a value name: <paramref name="wanted"/> if still free, else with a numeric suffix.</summary>
    public string Name(string wanted)
    {
        string name = wanted;
        for (int k = 1; !_names.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    public string Node(string opType, string name, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = Name(name);
        _nodes.Add(new NodeSpec(opType, output, inputs, [output], attributes));
        return output;
    }

    public string FloatInitializer(string name, long[] dims, float[] values)
    {
        string unique = Name(name);
        _initializers.Add(new Initializer(unique, dims, OnnxFields.Tensor.Float, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return unique;
    }

    public string Int64Initializer(string name, long[] values)
    {
        string unique = Name(name);
        _initializers.Add(new Initializer(unique, [values.Length], OnnxFields.Tensor.Int64, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return unique;
    }

    /// <summary>Gives the value <paramref name="from"/> the name <paramref name="to"/> everywhere (producer and consumers).</summary>
    public void Rename(string from, string to)
    {
        foreach (NodeSpec node in _nodes)
        {
            for (int i = 0; i < node.Inputs.Length; i++) if (node.Inputs[i] == from) node.Inputs[i] = to;
            for (int i = 0; i < node.Outputs.Length; i++) if (node.Outputs[i] == from) node.Outputs[i] = to;
        }
    }

    public bool IsProducedByNode(string value) => _nodes.Any(n => n.Outputs.Contains(value));

    public ProtoMessage BuildModel(long irVersion, int opset, string graphName, ProtoMessage input, ProtoMessage output,
        IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtoMessage();
        foreach (NodeSpec n in _nodes)
        {
            var node = new ProtoMessage();
            foreach (string i in n.Inputs) node.String(OnnxFields.Node.Input, i);
            foreach (string o in n.Outputs) node.String(OnnxFields.Node.Output, o);
            node.String(OnnxFields.Node.Name, n.Name).String(OnnxFields.Node.OpType, n.OpType);
            foreach (OnnxAttribute a in n.Attributes) node.Message(OnnxFields.Node.Attribute, a.ToProto());
            graph.Message(OnnxFields.Graph.Node, node);
        }
        graph.String(OnnxFields.Graph.Name, graphName);
        foreach (Initializer t in _initializers)
        {
            var tensor = new ProtoMessage();
            foreach (long d in t.Dims) tensor.Varint(OnnxFields.Tensor.Dims, d);
            tensor.Varint(OnnxFields.Tensor.DataType, t.DataType)
                .String(OnnxFields.Tensor.Name, t.Name)
                .Bytes(OnnxFields.Tensor.RawData, t.Raw); // raw_data is little-endian, as .NET is on every supported CPU
            graph.Message(OnnxFields.Graph.Initializer, tensor);
        }
        graph.Message(OnnxFields.Graph.Input, input).Message(OnnxFields.Graph.Output, output);

        var model = new ProtoMessage()
            .Varint(OnnxFields.Model.IrVersion, irVersion)
            .String(OnnxFields.Model.ProducerName, "pocket")
            .String(OnnxFields.Model.ProducerVersion, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(OnnxFields.Model.Graph, graph)
            .Message(OnnxFields.Model.OpsetImport, new ProtoMessage()
                .String(OnnxFields.OperatorSetId.Domain, "")
                .Varint(OnnxFields.OperatorSetId.Version, opset));
        foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.Message(OnnxFields.Model.MetadataProps, new ProtoMessage()
                .String(OnnxFields.StringStringEntry.Key, key)
                .String(OnnxFields.StringStringEntry.Value, value));
        return model;
    }

    /// <summary>A float tensor's ValueInfoProto: <paramref name="dims"/> entries that are null become the symbolic batch "N".</summary>
    public static ProtoMessage FloatValueInfo(string name, params long?[] dims)
    {
        var shape = new ProtoMessage();
        foreach (long? d in dims)
            shape.Message(OnnxFields.Shape.Dim, d is { } value
                ? new ProtoMessage().Varint(OnnxFields.Shape.DimValue, value)
                : new ProtoMessage().String(OnnxFields.Shape.DimParam, "N"));
        var tensorType = new ProtoMessage()
            .Varint(OnnxFields.Type.TensorElemType, OnnxFields.Tensor.Float)
            .Message(OnnxFields.Type.TensorShape, shape);
        return new ProtoMessage()
            .String(OnnxFields.ValueInfo.Name, name)
            .Message(OnnxFields.ValueInfo.Type, new ProtoMessage().Message(OnnxFields.Type.TensorType, tensorType));
    }
}
