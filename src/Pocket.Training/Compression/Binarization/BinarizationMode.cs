namespace Pocket.Training.Compression.Binarization;

/// <summary>How the network is fine-tuned once its k×k filters are binarized.</summary>
public enum BinarizationMode
{
    /// <summary>
    /// The binary patterns and their scales α are fixed; everything else (1×1 convs, BatchNorm, fc, biases) trains
    /// around them. Li et al. 2017 (SEP-Nets) binarize a trained network this way.
    /// </summary>
    Frozen,

    /// <summary>
    /// A latent float weight trains through a straight-through estimator: the forward pass uses α·sign(W_latent),
    /// the gradient of that binarized weight is applied to W_latent, and α is recomputed after every step, so
    /// patterns can flip and scales can move.
    /// </summary>
    Ste,
}
