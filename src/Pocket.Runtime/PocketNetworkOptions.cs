namespace Pocket.Runtime;

/// <summary>How a <see cref="PocketNetwork"/> executes. The defaults suit a phone: one thread per call, so an app
/// that already predicts from several threads does not oversubscribe the cores.</summary>
public sealed record PocketNetworkOptions
{
    /// <summary>Threads one Predict call may use (1 = run on the calling thread only). Batches are split into
    /// sample tiles across threads; a single sample spreads each large layer over the threads, by output channels,
    /// or by pixels where the plane is large (so each core reads what it wrote in the layer before). The threads
    /// beyond the caller are persistent workers that spin for half a millisecond between layers and then sleep.
    /// Results are bit-identical whatever the value, because every output element is still summed by one thread in
    /// the same order.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>Fold BatchNorm2d into the preceding convolution when that convolution feeds only the BatchNorm.</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Fuse ReLU/ReLU6 into the preceding convolution or linear layer when it is that layer's only consumer.</summary>
    public bool FuseActivations { get; init; } = true;

    /// <summary>Let the convolutions feeding a channel concat (SqueezeNet's Fire modules) write straight into their
    /// slices of its output, so the concat copies nothing, when nothing else reads those convolutions' outputs.</summary>
    public bool WriteConcatsInPlace { get; init; } = true;

    public static PocketNetworkOptions Default { get; } = new();
}
