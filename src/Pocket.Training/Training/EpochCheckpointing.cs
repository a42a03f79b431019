namespace Pocket.Training.Training;

/// <summary>
/// Lets a long run survive being killed: after every epoch the trainer hands over its state (the optimizer's
/// momentum buffers or Adam moments, and libtorch's random generator, which dropout draws from) so the caller can
/// write a checkpoint, and a resumed run starts after the last saved epoch with that state restored. The shuffle of epoch e depends only on the seed and e, so a
/// resumed run sees the same batches as an uninterrupted one.
/// </summary>
public sealed class EpochCheckpointing
{
    /// <summary>Called after each completed epoch with its number and the serialized trainer state.</summary>
    public required Action<int, byte[]> Save { get; init; }

    /// <summary>Epochs already done by the run being resumed (0 for a fresh run).</summary>
    public int CompletedEpochs { get; init; }

    /// <summary>The trainer state saved with <see cref="CompletedEpochs"/>, or null for a fresh run.</summary>
    public byte[]? OptimizerState { get; init; }
}
