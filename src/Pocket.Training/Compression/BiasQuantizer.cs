using Pocket.Format;

namespace Pocket.Training.Compression;

/// <summary>
/// Stores the biases of Linear and Conv2d nodes as a small k-means codebook plus one code per element (the
/// quantized-dense encoding) instead of float32. Biases are a few hundred values, so their float32 bytes are a
/// visible part of a compressed LeNet file (1,688 of 25,180 bytes), and a bias shifts a pre-activation by a
/// constant that 2^b well-placed levels reproduce closely; whether it costs accuracy is measured on the file
/// (bench/results/deep-compression.md), not assumed. Other float tensors (BatchNorm statistics) are left alone.
/// </summary>
public static class BiasQuantizer
{
    /// <summary>The model with every float32 bias quantized to 2^<paramref name="bits"/> levels (fewer if it has fewer distinct values).</summary>
    public static PocketModel Quantize(PocketModel model, int bits)
    {
        if (bits is < 1 or > 16) throw new ArgumentException($"bias bits: {bits} is not 1 to 16");
        var biases = model.Graph.Nodes
            .Where(n => n.Op is OpKind.Linear or OpKind.Conv2d && n.Tensors.Length > 1 && n.Tensors[1].Length > 0)
            .Select(n => n.Tensors[1])
            .ToHashSet(StringComparer.Ordinal);
        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.Tensors)
            tensors[name] = biases.Contains(name) && tensor is DenseTensor dense ? Quantize(dense, bits) : tensor;
        return model with { Tensors = tensors };
    }

    /// <summary>One float32 vector as a 2^b-level codebook, or unchanged if that would not be smaller.</summary>
    internal static PocketTensor Quantize(DenseTensor dense, int bits)
    {
        int distinct = dense.Values.Distinct().Count();
        int k = Math.Min(1 << bits, distinct);
        if (k == 0) return dense;
        var centroids = KMeans1D.Fit(dense.Values, k, CentroidInitialization.Linear).Centroids;
        var codes = new ushort[dense.Values.Length];
        for (int i = 0; i < codes.Length; i++) codes[i] = (ushort)KMeans1D.Nearest(centroids, dense.Values[i]);
        var quantized = new QuantizedDenseTensor(dense.Name, dense.Shape, centroids, codes);
        // Never bigger than the float32 it replaces (a tensor of a few values can be).
        return PocketEncoder.SectionBytes(quantized) < PocketEncoder.SectionBytes(dense) ? quantized : dense;
    }
}
