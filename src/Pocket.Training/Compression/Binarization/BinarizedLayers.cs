using Pocket.Training.Checkpoints;
using Pocket.Training.Models;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// Keeps a checkpoint's binarized filters exactly as they are (bits and α) while a later stage — pruning,
/// quantization — retrains the float layers around them.
/// </summary>
public static class BinarizedLayers
{
    public static FrozenWeightsConstraint Freeze(PocketModule model, Checkpoint checkpoint)
    {
        var constraint = new FrozenWeightsConstraint();
        foreach (var (name, weight) in model.CompressibleWeights())
            if (checkpoint.Binarization.ContainsKey(name)) constraint.Add(weight);
        return constraint;
    }

    /// <summary>
    /// The weights pruning and quantization work on: every compressible weight except the checkpoint's binarized
    /// filters, which are already one bit each and stay as they are (pruning them would change the pattern, not the size).
    /// </summary>
    public static IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Weight)> NotBinarized(PocketModule model, Checkpoint checkpoint) =>
        model.CompressibleWeights().Where(w => !checkpoint.Binarization.ContainsKey(w.Name)).ToList();
}
