namespace Pocket.Training.Training;

/// <summary>
/// Something compression imposes on the weights while they train: pruning keeps pruned weights at exactly zero;
/// trained quantization moves shared centroids instead of single weights. The trainer calls it around every
/// optimizer step.
/// </summary>
public interface IWeightConstraint
{
    /// <summary>After backward, before the optimizer step: adjust gradients (e.g. zero those of pruned weights).</summary>
    void BeforeStep();

    /// <summary>After the optimizer step: restore the invariant (e.g. re-apply the mask, rebuild from the codebook).</summary>
    void AfterStep();
}
