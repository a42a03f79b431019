using Pocket.Training.Models;

namespace Pocket.Training.Tests.Architectures;

/// <summary>The model/option combinations the architecture tests run, at small inputs so the suite stays fast.</summary>
public static class ArchitectureCases
{
    public static ModelSpec Spec(string name, params string[] options) =>
        new(name, options.Select(o => o.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]));

    /// <summary>Name, options ("k=v"), input shape "CxHxW", classes.</summary>
    public static TheoryData<string, string, string, int> Small => new()
    {
        { "squeezenet1_0", "", "3x64x64", 10 },
        { "squeezenet1_0", "bypass=simple", "1x32x32", 10 },
        { "squeezenet1_0", "bypass=complex", "1x32x32", 7 },
        { "squeezenet1_1", "", "3x32x32", 10 },
        { "squeezenet1_1", "bypass=complex,stride=1,width=0.5", "1x32x32", 10 },
        { "mobilenet_v1", "", "3x32x32", 10 },
        { "mobilenet_v1", "alpha=0.25,stride=1", "1x32x32", 10 },
        { "mobilenet_v1", "alpha=0.6", "1x28x28", 5 },
        { "sepnet", "", "3x32x32", 10 },
        { "sepnet", "width=0.5,stride=1", "1x32x32", 10 },
        { "sepnet", "width=0.3", "1x28x28", 3 },
    };

    /// <summary>One small configuration per architecture, for the slower checks.</summary>
    public static TheoryData<string, string, string, int> OnePerArchitecture => new()
    {
        { "squeezenet1_0", "bypass=complex", "1x32x32", 10 },
        { "squeezenet1_1", "bypass=simple,stride=1", "1x32x32", 10 },
        { "mobilenet_v1", "alpha=0.25,stride=1", "1x32x32", 10 },
        { "sepnet", "width=0.5,stride=1", "1x32x32", 10 },
    };

    public static PocketModule Create(string name, string options, string input, int classes) =>
        ModelZoo.Create(Spec(name, options.Length == 0 ? [] : options.Split(',')), InputShape.Parse(input), classes);
}
