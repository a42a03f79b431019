namespace Pocket.Runtime.Ops;

/// <summary>
/// The mutable state of one forward pass over one tile of samples: activation buffers (by slot) and scratch.
/// Buffers are rented from <see cref="System.Buffers.ArrayPool{T}"/> and may be longer than needed and hold stale
/// data, so every layer fully overwrites its output and never assumes zeroed memory.
/// </summary>
internal sealed class Workspace
{
    public Workspace(float[][] slots, float[] scratch, int batch, int parallelism)
    {
        Slots = slots;
        Scratch = scratch;
        Batch = batch;
        Parallelism = parallelism;
    }

    public float[][] Slots { get; }

    public float[] Scratch { get; }

    /// <summary>Samples in this tile; sample s of a slot starts at s × (shape length).</summary>
    public int Batch { get; }

    /// <summary>Threads a layer may use inside this pass (1 when the batch is already split across threads).</summary>
    public int Parallelism { get; }
}
