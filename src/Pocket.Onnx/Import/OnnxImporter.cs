using Google.Protobuf;
using Onnx;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Runtime.Input;

namespace Pocket.Onnx;

/// <summary>
/// Reads an ONNX model trained elsewhere (PyTorch, CNTK, Keras exporters; opsets 7–21) as a float32 Pocket model:
/// a <see cref="ModelGraph"/> over one sample with a batch axis of any size, dense tensors, and metadata naming the
/// source. Anything it cannot represent exactly — an operator, an attribute value, external data, a malformed file —
/// is an <see cref="OnnxImportException"/> with one line saying what and where.
/// </summary>
public static class OnnxImporter
{
    public const int MinOpset = 7;
    public const int MaxOpset = 21;

    /// <summary>The metadata key of the class names, one per line (<see cref="ModelMetadata.Labels"/>).</summary>
    public const string LabelsKey = ModelMetadata.Labels;

    /// <summary>Refuse anything a .pocket file could not hold before parsing it.</summary>
    private const long MaxFileBytes = int.MaxValue;

    public static PocketModel Import(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new OnnxImportException($"{path}: file not found");
        if (info.Length > MaxFileBytes) throw new OnnxImportException($"{path}: {info.Length} bytes, more than {MaxFileBytes}");
        return Import(File.ReadAllBytes(path), Path.GetFileName(path), options);
    }

    public static PocketModel Import(ReadOnlySpan<byte> bytes, string sourceName, OnnxImportOptions? options = null)
    {
        options ??= new OnnxImportOptions();
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxImportException($"{sourceName}: not a valid ONNX protobuf ({e.Message.TrimEnd('.')})");
        }
        try
        {
            return Convert(model, sourceName, options);
        }
        catch (OnnxImportException e)
        {
            throw new OnnxImportException($"{sourceName}: {e.Message}");
        }
    }

    private static PocketModel Convert(ModelProto model, string sourceName, OnnxImportOptions options)
    {
        if (model.Graph is not { } graph || graph.Node.Count == 0)
            throw new OnnxImportException("the file holds no graph (empty, truncated, or not an ONNX model)");
        int opset = Opset(model);
        (string inputName, TensorShape input, int rank) = Input(graph, options);

        var importer = new OnnxGraphImporter(opset);
        ActivationValue output = importer.Import(graph, inputName, input, rank);
        (List<GraphNode> nodes, Dictionary<string, PocketTensor> tensors) = Reachable(importer, output.Node);
        TensorShape outputShape = importer.ShapeOf(output.Node);
        CheckDeclaredOutput(graph.Output[0], outputShape);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelMetadata.Model] = ModelMetadata.ImportedModel,
            ["source"] = $"onnx: {sourceName}{(graph.Name.Length > 0 ? $" (graph {graph.Name})" : "")}, {(model.ProducerName.Length > 0 ? model.ProducerName : "unknown producer")} "
                + $"{model.ProducerVersion}".TrimEnd() + $", opset {opset}, IR {model.IrVersion}",
            ["stage"] = "imported",
            ["input"] = input.ToString(),
        };
        // A file `pocket export-onnx` wrote carries the preprocessing its model was trained with (docs/format.md §3's
        // keys as metadata_props): kept, so importing it back gives the model that preprocessing again.
        foreach (var entry in model.MetadataProps)
            if (Preprocessing.Keys.Contains(entry.Key)) metadata[entry.Key] = entry.Value;
        if (options.Labels is { } labels)
        {
            if (labels.Count != outputShape.Length)
                throw new OnnxImportException($"labels: {labels.Count} names for the model's {outputShape.Length} outputs");
            if (labels.Any(l => l.Contains('\n') || l.Contains('\r')))
                throw new OnnxImportException("labels: a name contains a line break");
            metadata[LabelsKey] = string.Join('\n', labels);
        }
        return new PocketModel(new ModelGraph(nodes), tensors, metadata);
    }

    private static int Opset(ModelProto model)
    {
        OperatorSetIdProto? standard = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (standard is null)
            throw new OnnxImportException(model.OpsetImport.Count == 0 && model.IrVersion < 3
                ? $"IR version {model.IrVersion} without an opset import is older than opset {MinOpset}"
                : "the model imports no opset of the standard ONNX domain");
        if (standard.Version < MinOpset || standard.Version > MaxOpset)
            throw new OnnxImportException($"opset {standard.Version} is not supported (opsets {MinOpset} to {MaxOpset})");
        return (int)standard.Version;
    }

    /// <summary>The one graph input that is not an initializer (IR &lt; 4 lists initializers as inputs too).</summary>
    private static (string Name, TensorShape Shape, int Rank) Input(GraphProto graph, OnnxImportOptions options)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new OnnxImportException($"the graph has {inputs.Count} inputs besides its initializers; a Pocket model has exactly one");
        ValueInfoProto input = inputs[0];
        TypeProto.Types.Tensor? type = input.Type?.TensorType;
        if (type is null) throw new OnnxImportException($"input '{input.Name}' is not a tensor");
        if (type.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new OnnxImportException($"input '{input.Name}' has element type {type.ElemType}; only FLOAT is supported");
        var dims = type.Shape?.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? d.DimValue : (long?)null).ToArray()
            ?? throw new OnnxImportException($"input '{input.Name}' has no shape");
        if (dims.Length is not (2 or 4))
            throw new OnnxImportException($"input '{input.Name}' has rank {dims.Length}; supported are [N, C, H, W] and [N, features]");
        long?[] sample = dims[1..];
        (int C, int H, int W) shape;
        if (options.InputShape is { } given)
        {
            long[] wanted = dims.Length == 4 ? [given.Channels, given.Height, given.Width] : [(long)given.Channels * given.Height * given.Width];
            for (int i = 0; i < sample.Length; i++)
                if (sample[i] is { } fixedSize && fixedSize != wanted[i])
                    throw new OnnxImportException($"--input {given.Channels}x{given.Height}x{given.Width} disagrees with input '{input.Name}' "
                        + $"[{string.Join(",", dims.Select(d => d?.ToString() ?? "?"))}]");
            shape = dims.Length == 4 ? given : ((int)wanted[0], 1, 1);
        }
        else
        {
            if (sample.Any(d => d is null))
                throw new OnnxImportException($"input '{input.Name}' [{string.Join(",", dims.Select(d => d?.ToString() ?? "?"))}] has symbolic sizes: give them with --input CxHxW");
            if (sample.Any(d => d > int.MaxValue)) throw new OnnxImportException($"input '{input.Name}' is too large");
            shape = dims.Length == 4 ? ((int)sample[0]!, (int)sample[1]!, (int)sample[2]!) : ((int)sample[0]!, 1, 1);
        }
        return (input.Name, new TensorShape(shape.C, shape.H, shape.W), dims.Length);
    }

    /// <summary>A declared output shape with fixed sizes must be what the graph computes (batch axis aside).</summary>
    private static void CheckDeclaredOutput(ValueInfoProto output, TensorShape computed)
    {
        var dims = output.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count == 0) return;
        if (dims.Skip(1).All(d => d.HasDimValue))
        {
            long declared = dims.Skip(1).Aggregate(1L, (a, d) => a * d.DimValue);
            if (declared != computed.Length)
                throw new OnnxImportException($"inconsistent shapes: output '{output.Name}' is declared "
                    + $"[{string.Join(",", dims.Select(d => d.HasDimValue ? d.DimValue.ToString() : d.DimParam))}], the graph computes {computed} per sample");
        }
    }

    /// <summary>Only the nodes the output depends on, renumbered, so the output is the last node as Pocket requires.</summary>
    private static (List<GraphNode>, Dictionary<string, PocketTensor>) Reachable(OnnxGraphImporter importer, int output)
    {
        IReadOnlyList<GraphNode> all = importer.Nodes;
        var keep = new bool[all.Count];
        keep[0] = true;
        var stack = new Stack<int>([output]);
        while (stack.Count > 0)
        {
            int i = stack.Pop();
            if (keep[i] && i != 0) continue;
            keep[i] = true;
            foreach (int x in all[i].Inputs) if (!keep[x]) stack.Push(x);
        }
        var index = new int[all.Count];
        var nodes = new List<GraphNode>();
        for (int i = 0; i <= output; i++)
        {
            if (!keep[i]) continue;
            index[i] = nodes.Count;
            nodes.Add(all[i] with { Inputs = all[i].Inputs.Select(x => index[x]).ToArray() });
        }
        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        foreach (GraphNode n in nodes)
            foreach (string t in n.Tensors)
                if (t.Length > 0) tensors[t] = importer.Tensors[t];
        return (nodes, tensors);
    }
}
