namespace Pocket.Format;

/// <summary>How a tensor section stores its values. The byte value is in the file: never renumber, only append.</summary>
public enum TensorEncoding : byte
{
    /// <summary><see cref="DenseTensor"/>: float32 per element.</summary>
    Dense = 0,

    /// <summary><see cref="QuantizedDenseTensor"/>: a float32 codebook and one code per element.</summary>
    QuantizedDense = 1,

    /// <summary><see cref="SparseQuantizedTensor"/>: codebook, relative-index stream and weight-code stream with fillers.</summary>
    SparseQuantized = 2,

    /// <summary><see cref="BinaryTensor"/>: one float32 scale per output filter and 1 bit per element.</summary>
    Binary = 3,
}

internal static class TensorEncodings
{
    public static TensorEncoding Of(PocketTensor tensor) => tensor switch
    {
        DenseTensor => TensorEncoding.Dense,
        QuantizedDenseTensor => TensorEncoding.QuantizedDense,
        SparseQuantizedTensor => TensorEncoding.SparseQuantized,
        BinaryTensor => TensorEncoding.Binary,
        _ => throw new ArgumentException($"tensor '{tensor.Name}' has unsupported type {tensor.GetType().Name}"),
    };
}
