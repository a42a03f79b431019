namespace Pocket.Training.Models;

/// <summary>Builds the zoo's networks by name. New architectures register here, with the options they accept.</summary>
public static class ModelZoo
{
    private sealed record Entry(Func<ModelSpec, InputShape, int, PocketModule> Create, IReadOnlyList<ModelOption> Options);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lenet300"] = new((s, i, k) => new LeNet300(s, i, k), LeNet300.Options),
        ["lenet5"] = new((s, i, k) => new LeNet5(s, i, k), LeNet5.Options),
        ["squeezenet1_0"] = new((s, i, k) => new SqueezeNet(s, i, k, SqueezeNetVersion.V1_0), SqueezeNet.Options),
        ["squeezenet1_1"] = new((s, i, k) => new SqueezeNet(s, i, k, SqueezeNetVersion.V1_1), SqueezeNet.Options),
        ["mobilenet_v1"] = new((s, i, k) => new MobileNetV1(s, i, k), MobileNetV1.Options),
        ["sepnet"] = new((s, i, k) => new SepNet(s, i, k), SepNet.Options),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static bool Contains(string name) => Entries.ContainsKey(name);

    /// <summary>
    /// Why <paramref name="spec"/> cannot be built — an unknown model, a key its model does not accept (naming the keys
    /// it does), a value its option cannot take — or null if it can.
    /// </summary>
    public static string? Problem(ModelSpec spec)
    {
        if (!Entries.TryGetValue(spec.Name, out var entry)) return UnknownModel(spec.Name).Message;
        foreach (var (key, value) in spec.Options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var option = entry.Options.FirstOrDefault(o => o.Key == key);
            if (option is null)
                return $"{spec.Name} has no option '{key}' (its options: {string.Join(", ", entry.Options.Select(o => o.Key))})";
            if (option.Problem(value) is { } problem) return $"{spec.Name} option {key}='{value}' {problem}";
        }
        return null;
    }

    /// <summary>Creates the network with freshly initialised weights (TorchSharp's default init, from torch's seed).</summary>
    public static PocketModule Create(ModelSpec spec, InputShape input, int classes)
    {
        if (Problem(spec) is { } problem) throw new ArgumentException(problem);
        return Entries[spec.Name].Create(spec, input, classes);
    }

    private static ArgumentException UnknownModel(string name) =>
        new($"unknown model '{name}' (known: {string.Join(", ", Names)})");
}
