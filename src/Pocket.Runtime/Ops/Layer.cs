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
    }

    /// <summary>Graph node name(s) this layer came from (fused nodes are joined with '+').</summary>
    public string Name { get; }

    public TensorShape OutputShape { get; }

    /// <summary>Workspace slots this layer reads; assigned by the compiler.</summary>
    public int[] InputSlots { get; internal set; } = [];

    /// <summary>Workspace slot this layer writes; assigned by the compiler.</summary>
    public int OutputSlot { get; internal set; }

    /// <summary>Bytes of weights this layer keeps resident (as held, not as they would be densified).</summary>
    public virtual long WeightBytes => 0;

    /// <summary>Floats of scratch memory one call needs for a tile of <paramref name="batch"/> samples.</summary>
    public virtual long ScratchLength(int batch) => 0;

    /// <summary>Short description of the kernel chosen at load, for diagnostics.</summary>
    public virtual string Kernel => GetType().Name;

    /// <summary>Computes the output slot from the input slots for <see cref="Workspace.Batch"/> samples stored back to back.</summary>
    public abstract void Forward(Workspace workspace);
}
