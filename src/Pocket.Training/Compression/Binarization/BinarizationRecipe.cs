using Pocket.Training.Training;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// What `pocket binarize` does to a model when no flag says otherwise: which k×k convs stay float and how long the
/// rest fine-tunes. Measured in bench/results/architectures.md (session 10).
/// </summary>
public static class BinarizationRecipe
{
    /// <summary>
    /// SEP-Net keeps its stem (conv1: 32 filters of 1×3×3, 288 weights) in float, as binary networks keep their first
    /// layer: from the 91.92 % float model, 8 epochs of frozen fine-tuning gave 90.64 % with conv1 binarized and
    /// 91.88 % with it float (91.92 % → 90.07 % with conv1 binarized and the 4 epochs of the retraining recipe).
    /// </summary>
    public static IReadOnlySet<string> KeepFloat(string model) =>
        model.Equals("sepnet", StringComparison.OrdinalIgnoreCase) ? new HashSet<string>(StringComparer.Ordinal) { "conv1" } : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Fine-tuning after binarization: the model's retraining recipe, SEP-Net's for 8 epochs instead of 4.</summary>
    public static TrainingOptions FineTune(string model)
    {
        var retrain = TrainingRecipes.Retraining(model);
        return model.Equals("sepnet", StringComparison.OrdinalIgnoreCase) ? retrain with { Epochs = 8 } : retrain;
    }
}
