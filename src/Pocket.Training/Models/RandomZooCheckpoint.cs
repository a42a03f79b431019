using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using TorchSharp;

namespace Pocket.Training.Models;

/// <summary>
/// A zoo model with freshly initialised weights (TorchSharp's default init from a fixed torch seed), encoded dense as
/// `pocket encode` encodes an uncompressed checkpoint: what speed is measured on when there is no trained file
/// (`pocket bench --model`, bench/Pocket.Bench's zoo table). Same seed, same weights.
/// </summary>
public static class RandomZooCheckpoint
{
    /// <exception cref="ArgumentException">The spec's options do not fit the model or the input.</exception>
    public static PocketModel Encode(ModelSpec spec, InputShape input, int classes, int seed)
    {
        torch.manual_seed(seed);
        using var model = ModelZoo.Create(spec, input, classes);
        var checkpoint = ModuleState.Capture(model, "random", new Dictionary<string, string> { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return PocketEncoder.Encode(checkpoint);
    }
}
