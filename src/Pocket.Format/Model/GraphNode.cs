namespace Pocket.Format;

/// <summary>
/// One operation of a model graph. Nodes are stored in topological order: every input index refers to an
/// earlier node. The last node is the network output.
/// </summary>
/// <param name="Name">A unique, human-readable name (for example "fc1" or "fire2.squeeze1x1").</param>
/// <param name="Op">What the node computes.</param>
/// <param name="Inputs">Indices of earlier nodes whose outputs feed this one.</param>
/// <param name="Attributes">Integer attributes, laid out as <see cref="OpKind"/> documents for <paramref name="Op"/>.</param>
/// <param name="FloatAttributes">Float attributes (only BatchNorm2d's eps today).</param>
/// <param name="Tensors">Names of the tensors this node reads, in the op's documented order; "" for an absent optional tensor.</param>
public sealed record GraphNode(
    string Name,
    OpKind Op,
    int[] Inputs,
    int[] Attributes,
    float[] FloatAttributes,
    string[] Tensors)
{
    public static GraphNode Create(string name, OpKind op, int[] inputs, int[]? attributes = null, string[]? tensors = null, float[]? floatAttributes = null) =>
        new(name, op, inputs, attributes ?? [], floatAttributes ?? [], tensors ?? []);
}
