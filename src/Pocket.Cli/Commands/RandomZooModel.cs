using Pocket.Format;
using Pocket.Training.Models;

namespace Pocket.Cli.Commands;

/// <summary>`pocket bench --model`'s file when there is no trained one: its flags turned into a <see cref="RandomZooCheckpoint"/>.</summary>
internal static class RandomZooModel
{
    public static PocketModel Create(BenchCommand.Settings s)
    {
        ModelSpec spec = s.ToSpec();
        bool lenet = spec.Name.StartsWith("lenet", StringComparison.Ordinal);
        InputShape input;
        try
        {
            int resolution = ModelOption.Resolution.ReadInteger(spec) is > 0 and int r ? r : 224;
            input = s.Input is not null ? InputShape.Parse(s.Input) : lenet ? new InputShape(1, 28, 28) : new InputShape(3, resolution, resolution);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new UsageException($"--input: {e.Message}");
        }
        int classes = s.Classes ?? (lenet ? 10 : 1000);
        if (classes < 1) throw new UsageException($"--classes: {classes} must be positive");

        try { return RandomZooCheckpoint.Encode(spec, input, classes, s.Seed); }
        catch (ArgumentException e) { throw new UsageException($"--model {spec}: {e.Message}"); }
    }
}
