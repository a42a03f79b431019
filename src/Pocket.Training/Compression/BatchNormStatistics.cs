using Pocket.Format;

namespace Pocket.Training.Compression;

/// <summary>
/// Stores each BatchNorm2d in its inference form. At inference a BatchNorm is the per-channel affine
/// y = x·s + t with s = γ/√(var+ε) and t = β − mean·s, so its four float32 vectors carry two vectors of
/// information. The file keeps the node as it is (every reader, the TorchSharp decoder and the ONNX export read
/// it unchanged) but with mean = 0 and var = 1, constants a one-entry codebook stores in one bit per channel, and
/// γ' = s·√(1+ε), β' = t, so that γ'/√(1+ε) = s again. That halves BatchNorm's bytes, which matter once the
/// weights are compressed: 47,734 of a compressed MobileNet α 0.25's 122,860 bytes were BatchNorm and biases
/// (bench/results/architectures.md). The outputs agree with the original's to float32 rounding.
/// Optionally γ' and β' become 2^b-level codebooks too (<see cref="BiasQuantizer"/>), which is lossy.
/// </summary>
public static class BatchNormStatistics
{
    /// <summary>The model with every BatchNorm2d whose four tensors are float32 folded to the inference form.</summary>
    public static PocketModel Fold(PocketModel model)
    {
        var tensors = new Dictionary<string, PocketTensor>(model.Tensors, StringComparer.Ordinal);
        foreach (var node in model.Graph.Nodes.Where(n => n.Op == OpKind.BatchNorm2d && n.Tensors.Length == 4 && n.FloatAttributes.Length == 1))
        {
            if (node.Tensors.Distinct(StringComparer.Ordinal).Count() != 4) continue; // shared tensors: leave as they are
            var parts = node.Tensors.Select(t => tensors.GetValueOrDefault(t) as DenseTensor).ToArray();
            if (parts.Any(p => p is null) || parts.Select(p => p!.Values.Length).Distinct().Count() != 1) continue;
            if (Affine(parts[0]!.Values, parts[1]!.Values, parts[2]!.Values, parts[3]!.Values, node.FloatAttributes[0]) is not { } affine)
                continue; // an invalid statistic: the reader's error names it, not this
            var (scaled, shift) = affine;
            tensors[node.Tensors[0]] = parts[0]! with { Values = scaled };
            tensors[node.Tensors[1]] = parts[1]! with { Values = shift };
            tensors[node.Tensors[2]] = Constant(parts[2]!, 0f);
            tensors[node.Tensors[3]] = Constant(parts[3]!, 1f);
        }
        return model with { Tensors = tensors };
    }

    /// <summary>Every BatchNorm2d's γ and β (after <see cref="Fold"/>: its scale and shift) as a 2^<paramref name="bits"/>-level codebook.</summary>
    public static PocketModel QuantizeAffine(PocketModel model, int bits)
    {
        if (bits is < 1 or > 16) throw new ArgumentException($"BatchNorm bits: {bits} is not 1 to 16");
        var affine = model.Graph.Nodes.Where(n => n.Op == OpKind.BatchNorm2d && n.Tensors.Length == 4)
            .SelectMany(n => n.Tensors.Take(2)).ToHashSet(StringComparer.Ordinal);
        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.Tensors)
            tensors[name] = affine.Contains(name) && tensor is DenseTensor dense ? BiasQuantizer.Quantize(dense, bits) : tensor;
        return model with { Tensors = tensors };
    }

    /// <summary>γ' = s·√(1+ε) and t per channel, in double; null if a variance makes s undefined.</summary>
    private static (float[] Scaled, float[] Shift)? Affine(float[] gamma, float[] beta, float[] mean, float[] variance, float eps)
    {
        // Readers compute s from the stored values in float32: γ'/√(1 + ε) with var = 1.
        double unit = MathF.Sqrt(1f + eps);
        var scaled = new float[gamma.Length];
        var shift = new float[gamma.Length];
        for (int c = 0; c < gamma.Length; c++)
        {
            double denominator = Math.Sqrt((double)variance[c] + eps);
            if (!(denominator > 0)) return null;
            double s = gamma[c] / denominator;
            scaled[c] = (float)(s * unit);
            shift[c] = (float)(beta[c] - mean[c] * s);
        }
        return (scaled, shift);
    }

    private static QuantizedDenseTensor Constant(DenseTensor like, float value) =>
        new(like.Name, like.Shape, [value], new ushort[like.Values.Length]);
}
