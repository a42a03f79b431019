namespace Pocket.Format;

/// <summary>A named parameter tensor of a Pocket model, in one of the stored encodings.</summary>
public abstract record PocketTensor(string Name, int[] Shape)
{
    /// <summary>Number of elements (the product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The tensor as dense float32 values in row-major order.</summary>
    public abstract float[] ToDense();
}

/// <summary>Plain float32 values (biases, BatchNorm parameters, layers left uncompressed).</summary>
public sealed record DenseTensor(string Name, int[] Shape, float[] Values) : PocketTensor(Name, Shape)
{
    public override float[] ToDense() => (float[])Values.Clone();
}

/// <summary>
/// Every element stored as an index into a per-tensor codebook (trained quantization without pruning).
/// </summary>
public sealed record QuantizedDenseTensor(string Name, int[] Shape, float[] Codebook, ushort[] Codes) : PocketTensor(Name, Shape)
{
    public override float[] ToDense()
    {
        var values = new float[Codes.Length];
        for (int i = 0; i < Codes.Length; i++) values[i] = Codebook[Codes[i]];
        return values;
    }
}

/// <summary>
/// A pruned and quantized tensor: only the non-zero elements, as their flat row-major positions (ascending)
/// and their codebook indices. Zero is not a codebook entry. In the file the positions are stored as
/// relative indices of <see cref="IndexBits"/> bits with filler entries (Han et al. 2015, Figure 2).
/// </summary>
public sealed record SparseQuantizedTensor(string Name, int[] Shape, float[] Codebook, int[] Positions, ushort[] Codes, int IndexBits)
    : PocketTensor(Name, Shape)
{
    public override float[] ToDense()
    {
        var values = new float[ElementCount];
        for (int i = 0; i < Positions.Length; i++) values[Positions[i]] = Codebook[Codes[i]];
        return values;
    }
}

/// <summary>
/// A binarized convolution weight (SEP-Net pattern binarization): every output filter f is Scales[f] · B with
/// B in {−1, +1}. Bits holds one bit per element, row-major, least significant bit first; 1 means +1.
/// </summary>
public sealed record BinaryTensor(string Name, int[] Shape, float[] Scales, byte[] Bits) : PocketTensor(Name, Shape)
{
    public override float[] ToDense()
    {
        var values = new float[ElementCount];
        long perFilter = values.Length / Math.Max(1, Shape[0]);
        for (long i = 0; i < values.Length; i++)
        {
            float a = Scales[i / perFilter];
            values[i] = ((Bits[i >> 3] >> (int)(i & 7)) & 1) != 0 ? a : -a;
        }
        return values;
    }
}
