using System.Globalization;

namespace Pocket.Training.Models;

/// <summary>
/// A model of the zoo by name and options (e.g. "mobilenet_v1" with alpha=0.5). Stored in every checkpoint,
/// so a checkpoint rebuilds its own network without flags.
/// </summary>
public sealed record ModelSpec(string Name, IReadOnlyDictionary<string, string> Options)
{
    public ModelSpec(string name) : this(name, new Dictionary<string, string>()) { }

    public string Option(string key, string fallback) => Options.TryGetValue(key, out var v) ? v : fallback;

    public double Option(string key, double fallback) =>
        Options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int Option(string key, int fallback) =>
        Options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public override string ToString() =>
        Options.Count == 0 ? Name : $"{Name}({string.Join(", ", Options.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"))})";
}
