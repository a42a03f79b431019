namespace Pocket.Training.Models;

/// <summary>
/// A model of the zoo by name and options (e.g. "mobilenet_v1" with alpha=0.5). Stored in every checkpoint,
/// so a checkpoint rebuilds its own network without flags. The keys a model accepts are its
/// <see cref="ModelOption"/>s, read through them.
/// </summary>
public sealed record ModelSpec(string Name, IReadOnlyDictionary<string, string> Options)
{
    public ModelSpec(string name) : this(name, new Dictionary<string, string>()) { }

    public override string ToString() =>
        Options.Count == 0 ? Name : $"{Name}({string.Join(", ", Options.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"))})";
}
