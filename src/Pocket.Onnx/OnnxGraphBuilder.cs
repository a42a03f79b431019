using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Pocket.Onnx;

/// <summary>
/// Collects ONNX nodes and initializers with unique value names, then writes them as a ModelProto. Nodes are kept
/// as plain records until the end so the graph output can be renamed to "logits" wherever it appears.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private sealed record NodeSpec(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

    private sealed record Initializer(string Name, long[] Dims, int DataType, byte[] Raw);

    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;

    private readonly List<NodeSpec> _nodes = [];
    private readonly List<Initializer> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public int NodeCount => _nodes.Count;

    public int InitializerCount => _initializers.Count;

    /// <summary>Bytes of float32 initializers (weights, biases, BatchNorm statistics), not the int64 shape constants.</summary>
    public long FloatInitializerBytes => _initializers.Where(i => i.DataType == Float).Sum(i => (long)i.Raw.Length);

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
        _initializers.Add(new Initializer(unique, dims, Float, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return unique;
    }

    public string Int64Initializer(string name, long[] values)
    {
        string unique = Name(name);
        _initializers.Add(new Initializer(unique, [values.Length], Int64, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
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

    public ModelProto BuildModel(long irVersion, int opset, string graphName, ValueInfoProto input, ValueInfoProto output,
        IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new GraphProto { Name = graphName };
        foreach (NodeSpec n in _nodes)
        {
            var node = new NodeProto { Name = n.Name, OpType = n.OpType };
            node.Input.Add(n.Inputs);
            node.Output.Add(n.Outputs);
            node.Attribute.Add(n.Attributes.Select(a => a.ToProto()));
            graph.Node.Add(node);
        }
        foreach (Initializer t in _initializers)
        {
            // raw_data is little-endian, as .NET is on every supported CPU.
            var tensor = new TensorProto { DataType = t.DataType, Name = t.Name, RawData = ByteString.CopyFrom(t.Raw) };
            tensor.Dims.Add(t.Dims);
            graph.Initializer.Add(tensor);
        }
        graph.Input.Add(input);
        graph.Output.Add(output);

        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = "pocket",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>A float tensor's ValueInfoProto: <paramref name="dims"/> entries that are null become the symbolic batch "N".</summary>
    public static ValueInfoProto FloatValueInfo(string name, params long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long? d in dims)
            shape.Dim.Add(d is { } value ? new TensorShapeProto.Types.Dimension { DimValue = value } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Float, Shape = shape } },
        };
    }
}
