namespace Pocket.Format;

/// <summary>
/// The network as a list of operations in topological order. Pocket stores the graph itself rather than an
/// architecture name plus options, so a runtime can run any model the trainer can export — LeNet, SqueezeNet
/// with bypasses, MobileNet, SEP-Net — without its own copy of the model zoo (see docs/format.md).
/// </summary>
public sealed record ModelGraph(IReadOnlyList<GraphNode> Nodes)
{
    /// <summary>The input node (always node 0).</summary>
    public GraphNode Input => Nodes[0];
}
