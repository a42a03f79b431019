namespace Pocket.Training.Models;

/// <summary>Builds the zoo's networks by name. New architectures register here.</summary>
public static class ModelZoo
{
    private static readonly Dictionary<string, Func<ModelSpec, InputShape, int, PocketModule>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lenet300"] = (s, i, k) => new LeNet300(s, i, k),
        ["lenet5"] = (s, i, k) => new LeNet5(s, i, k),
        ["squeezenet1_0"] = (s, i, k) => new SqueezeNet(s, i, k, SqueezeNetVersion.V1_0),
        ["squeezenet1_1"] = (s, i, k) => new SqueezeNet(s, i, k, SqueezeNetVersion.V1_1),
        ["mobilenet_v1"] = (s, i, k) => new MobileNetV1(s, i, k),
        ["sepnet"] = (s, i, k) => new SepNet(s, i, k),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static bool Contains(string name) => Factories.ContainsKey(name);

    /// <summary>Creates the network with freshly initialised weights (TorchSharp's default init, from torch's seed).</summary>
    public static PocketModule Create(ModelSpec spec, InputShape input, int classes)
    {
        if (!Factories.TryGetValue(spec.Name, out var factory))
            throw new ArgumentException($"unknown model '{spec.Name}' (known: {string.Join(", ", Names)})");
        return factory(spec, input, classes);
    }
}
