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
}
