using System.ComponentModel;
using Pocket.Training.Models;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>The flags that pick a model of the zoo and its options.</summary>
public class ModelSettings : CommandSettings
{
    [CommandOption("--model <NAME>")]
    [Description("Model of the zoo: lenet300, lenet5, ...")]
    public string Model { get; init; } = "lenet300";

    [CommandOption("--option <KEY=VALUE>")]
    [Description("A model option, repeatable (e.g. --option alpha=0.5).")]
    public string[] Options { get; init; } = [];

    public ModelSpec ToSpec()
    {
        if (!ModelZoo.Contains(Model))
            throw new UsageException($"--model: unknown model '{Model}' (known: {string.Join(", ", ModelZoo.Names)})");
        var options = new Dictionary<string, string>();
        foreach (var o in Options)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--option: '{o}' is not KEY=VALUE");
            options[o[..eq]] = o[(eq + 1)..];
        }
        var spec = new ModelSpec(Model.ToLowerInvariant(), options);
        if (ModelZoo.Problem(spec) is { } problem) throw new UsageException($"--option: {problem}");
        return spec;
    }
}
