namespace Pocket.Runtime.Ops;

/// <summary>
/// One executable step of a compiled network. A layer is immutable after construction (weights prepared at load),
/// so one instance serves any number of concurrent Predict calls; everything mutable lives in the
/// <see cref="Workspace"/> that the call owns.
/// </summary>
internal abstract class Layer
{
    protected Layer(string name, TensorShape outputShape)
    {
        Name = name;
        OutputShape = outputShape;
        OutputSampleStride = outputShape.Length;
    }

    /// <summary>Graph node name(s) this layer came from (fused nodes are joined with '+').</summary>
    public string Name { get; }

    public TensorShape OutputShape { get; }

    /// <summary>Workspace slots this layer reads; assigned by the compiler.</summary>
    public int[] InputSlots { get; internal set; } = [];

    /// <summary>Workspace slot this layer writes; assigned by the compiler.</summary>
    public int OutputSlot { get; internal set; }

    /// <summary>Where in its output slot a sample's output starts, past the sample's own block: nonzero when the
    /// compiler points this layer at a channel slice of a concat's slot (<see cref="WritesIntoSlices"/>).</summary>
    public int OutputOffset { get; internal set; }

    /// <summary>Floats between consecutive samples in the output slot: the output's length, or the concat's.</summary>
    public int OutputSampleStride { get; internal set; }

    /// <summary>Index in the output slot of sample <paramref name="sample"/>'s first output value.</summary>
    protected int OutputStart(int sample) => sample * OutputSampleStride + OutputOffset;

    /// <summary>Whether <see cref="Forward"/> honours <see cref="OutputOffset"/> and <see cref="OutputSampleStride"/>, so
    /// the compiler may let it write straight into its part of a concat.</summary>
    public virtual bool WritesIntoSlices => false;

    /// <summary>Whether <see cref="Forward"/> takes any batch and gains from a larger one than the network's tile (it reads
    /// its weights once per call), or costs the same per sample whatever the batch (elementwise): the network runs a
    /// tail of such layers over whole batches (<see cref="PocketNetwork"/>).</summary>
    public virtual bool BatchWide => false;

    /// <summary>Bytes of weights this layer keeps resident (as held, not as they would be densified).</summary>
    public virtual long WeightBytes => 0;

    /// <summary>Floats of scratch memory one call needs for a tile of <paramref name="batch"/> samples.</summary>
    public virtual long ScratchLength(int batch) => 0;

    /// <summary>Short description of the kernel chosen at load, for diagnostics.</summary>
    public virtual string Kernel => GetType().Name;

    /// <summary>Computes the output slot from the input slots for <see cref="Workspace.Batch"/> samples stored back to back.</summary>
    public abstract void Forward(Workspace workspace);
}
