using Pocket.Format;

namespace Pocket.Runtime;

/// <summary>
/// The runtime's own validation and shape rule for a graph (attribute counts, input indices, conv/pool arithmetic),
/// for tools that build graphs — the ONNX importer — so that a graph they accept is one the runtime loads, with
/// one definition of each op's shape.
/// </summary>
public static class GraphShapes
{
    /// <summary>The output shape of every node. Throws <see cref="PocketRuntimeException"/> naming the first bad node.</summary>
    public static TensorShape[] Infer(IReadOnlyList<GraphNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0) throw new PocketRuntimeException("graph has no nodes");
        return GraphCompiler.InferShapes(nodes);
    }
}
