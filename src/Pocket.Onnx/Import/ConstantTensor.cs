namespace Pocket.Onnx;

/// <summary>
/// A tensor whose values are known at import time (an initializer, a Constant node, or a folded Shape/Gather/Concat
/// chain): float32 values or int64 values (shapes, indices, axes), row-major.
/// </summary>
internal sealed record ConstantTensor(long[] Dims, float[]? Floats, long[]? Ints)
{
    public long Count => Dims.Aggregate(1L, (a, d) => a * d);

    public bool IsFloat => Floats is not null;

    public int Length => Floats?.Length ?? Ints!.Length;

    public static ConstantTensor Float(long[] dims, float[] values) => new(dims, values, null);

    public static ConstantTensor Int(long[] dims, long[] values) => new(dims, null, values);

    public double this[int i] => Floats is { } f ? f[i] : Ints![i];

    /// <summary>The values as float32 (an int64 constant used as a weight is converted).</summary>
    public float[] AsFloats() => Floats ?? Ints!.Select(v => (float)v).ToArray();

    /// <summary>The values as int64 (a float constant used as a shape or axis must hold whole numbers).</summary>
    public long[] AsInts() => Ints ?? Floats!.Select(v => (long)v).ToArray();

    /// <summary>The dimensions with leading 1s removed: how the constant broadcasts against one sample.</summary>
    public long[] TrimmedDims()
    {
        int first = 0;
        while (first < Dims.Length && Dims[first] == 1) first++;
        return Dims[first..];
    }

    public override string ToString() => $"[{string.Join(",", Dims)}]";
}
