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
    /// <summary>The freshly initialised model as a checkpoint (dataset "random", the seed in its metadata).</summary>
    /// <exception cref="ArgumentException">The spec's options do not fit the model or the input.</exception>
    public static Checkpoint Capture(ModelSpec spec, InputShape input, int classes, int seed)
    {
        torch.manual_seed(seed);
        using var model = ModelZoo.Create(spec, input, classes);
        return ModuleState.Capture(model, "random", new Dictionary<string, string> { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>That checkpoint encoded dense.</summary>
    /// <exception cref="ArgumentException">The spec's options do not fit the model or the input.</exception>
    public static PocketModel Encode(ModelSpec spec, InputShape input, int classes, int seed) =>
        PocketEncoder.Encode(Capture(spec, input, classes, seed));
}
