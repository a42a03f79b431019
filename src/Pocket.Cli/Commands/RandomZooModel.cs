using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using TorchSharp;

namespace Pocket.Cli.Commands;

/// <summary>
/// A zoo model with freshly initialised weights (TorchSharp's default init from a fixed torch seed), encoded dense
/// as `pocket encode` would encode an uncompressed checkpoint: what `pocket bench --model` times when there is no
/// trained file. Same seed, same weights.
/// </summary>
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

        torch.manual_seed(s.Seed);
        PocketModule model;
        try { model = ModelZoo.Create(spec, input, classes); }
        catch (ArgumentException e) { throw new UsageException($"--model {spec}: {e.Message}"); }
        using (model)
        {
            var checkpoint = ModuleState.Capture(model, "random", new Dictionary<string, string> { ["seed"] = s.Seed.ToString() });
            return PocketEncoder.Encode(checkpoint);
        }
    }
}
