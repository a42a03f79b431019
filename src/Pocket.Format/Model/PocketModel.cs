namespace Pocket.Format;

/// <summary>
/// A model as a .pocket file holds it: the graph, its tensors by name, and free-form metadata
/// (model name and options, dataset, class labels, how it was compressed).
/// </summary>
public sealed record PocketModel(
    ModelGraph Graph,
    IReadOnlyDictionary<string, PocketTensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata);
