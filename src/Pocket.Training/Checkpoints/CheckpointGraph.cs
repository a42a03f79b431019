using System.Text.Json;
using System.Text.Json.Nodes;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Training.Checkpoints;

/// <summary>
/// The graph of a checkpoint of a model outside the zoo (an imported ONNX model), as its JSON header holds it: one
/// object per node, in the graph's order, with the fields of <see cref="GraphNode"/>; the op by its
/// <see cref="OpKind"/> name. Read back, it is validated by the runtime's rule (<see cref="GraphShapes"/>), so a
/// truncated or edited graph is one line naming the node.
/// </summary>
public static class CheckpointGraph
{
    public static JsonArray ToJson(ModelGraph graph)
    {
        var nodes = new JsonArray();
        foreach (GraphNode n in graph.Nodes)
        {
            if (n.FloatAttributes.Any(f => !float.IsFinite(f)))
                throw new CheckpointException($"graph node '{n.Name}': a float attribute is not finite, which JSON cannot hold");
            nodes.Add(new JsonObject
            {
                ["name"] = n.Name,
                ["op"] = n.Op.ToString(),
                ["inputs"] = Array(n.Inputs.Select(i => (JsonNode)i)),
                ["attributes"] = Array(n.Attributes.Select(i => (JsonNode)i)),
                ["floats"] = Array(n.FloatAttributes.Select(f => (JsonNode)f)),
                ["tensors"] = Array(n.Tensors.Select(t => (JsonNode)t)),
            });
        }
        return nodes;
    }

    /// <summary>The graph, validated; every problem is a <see cref="CheckpointException"/> naming the source and the node.</summary>
    public static ModelGraph Parse(JsonNode? json, string source)
    {
        if (json is not JsonArray array || array.Count == 0) throw new CheckpointException($"{source}: 'graph' is not a non-empty list of nodes");
        var nodes = new GraphNode[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            string where = $"{source}: graph node {i}";
            if (array[i] is not JsonObject o) throw new CheckpointException($"{where} is not an object");
            string name = Text(o, "name", where);
            string opName = Text(o, "op", where);
            // Only an op's own name: Enum.TryParse alone would also take "3" or "Conv2d, Relu" (flags syntax).
            if (!Enum.TryParse(opName, ignoreCase: false, out OpKind op) || op.ToString() != opName)
                throw new CheckpointException($"{where} '{name}': unknown op '{opName}'");
            nodes[i] = new GraphNode(name, op, List(o, "inputs", where, n => n.GetValue<int>()), List(o, "attributes", where, n => n.GetValue<int>()),
                List(o, "floats", where, n => n.GetValue<float>()), List(o, "tensors", where, n => n.GetValue<string>()));
        }
        try { GraphShapes.Infer(nodes); }
        catch (PocketRuntimeException e) { throw new CheckpointException($"{source}: graph {e.Message}"); }
        return new ModelGraph(nodes);
    }

    private static JsonArray Array(IEnumerable<JsonNode> items) => new(items.ToArray());

    private static string Text(JsonObject o, string field, string where) =>
        o[field] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new CheckpointException($"{where}: '{field}' is missing or not text");

    private static T[] List<T>(JsonObject o, string field, string where, Func<JsonNode, T> read)
    {
        if (o[field] is not JsonArray items) throw new CheckpointException($"{where}: '{field}' is missing or not a list");
        try { return items.Select(n => read(n ?? throw new FormatException("null"))).ToArray(); }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new CheckpointException($"{where}: '{field}' holds a value of the wrong type");
        }
    }
}
