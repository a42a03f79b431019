using Pocket.Training.Checkpoints;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Chooses, without data to retrain on or labels to score with, how hard each layer is pruned and how few bits its
/// codebook gets: the measure is how far the model's outputs move from the original's (mean cosine similarity on
/// unlabelled inputs, <see cref="OutputFidelity"/>), not accuracy.
/// <para>
/// Greedy over layers, largest first (it holds the most bytes, so it gets the first share of the budget; ties in
/// forward order): each layer takes the smallest kept fraction of <see cref="SensitivityAnalysis.DefaultLevels"/>
/// (or the fewest bits) at which the whole model — this layer and every layer chosen before it compressed as chosen —
/// still has a mean cosine ≥ the floor, and keeps it while the next layers are tried. A layer's levels are tried from
/// the mildest down and the first one under the floor ends its search: output change grows as weights go, and
/// stopping there keeps the search to a few passes over the inputs per layer. Because every step is measured on the
/// model as it will be, the floor holds for the result, not only for each layer alone (what
/// <see cref="SensitivityAnalysis"/> measures). A layer that misses the floor at its mildest level stays unpruned
/// (kept fraction 1); the bits search starts with every layer at the widest width, so a layer stays float32 only when
/// that start already misses the floor.
/// </para>
/// Deterministic: magnitude pruning, linear-initialized k-means and inference have no randomness.
/// </summary>
public static class OutputSensitivity
{
    /// <summary>Codebook widths tried, widest first; one bit would give a sparse layer a single shared value.</summary>
    public static readonly int[] DefaultBits = [8, 7, 6, 5, 4, 3, 2];

    /// <param name="Value">The kept fraction or the bits chosen; null for a layer left float32 by the bits search.</param>
    /// <param name="MeanCosine">The whole model's mean cosine to the original once this layer is set.</param>
    public sealed record LayerChoice(string Layer, long Weights, double? Value, double MeanCosine);

    /// <summary>The kept fraction per layer (every compressible layer named) that holds the mean cosine ≥ <paramref name="floor"/>.</summary>
    public static (PruningRule.PerLayer Rule, IReadOnlyList<LayerChoice> Layers) ChooseKeep(Checkpoint checkpoint, ImageDataset inputs,
        ModelOutputs reference, double floor, IReadOnlyList<double>? levels = null)
    {
        levels ??= SensitivityAnalysis.DefaultLevels;
        using var model = ModuleState.Restore(checkpoint);
        var keep = new Dictionary<string, double>(StringComparer.Ordinal);
        var choices = new List<LayerChoice>();
        double cosine = MeanCosine(model, inputs, reference);
        foreach (var (name, weight) in Ordered(model, checkpoint))
        {
            using var original = weight.detach().clone();
            using Tensor? previous = checkpoint.Masks.TryGetValue(name, out var m) ? tensor(m, weight.shape) : null;
            double chosen = 1;
            foreach (double level in levels.Where(l => l < 1).OrderByDescending(l => l))
            {
                Prune(weight, original, level, previous);
                double c = MeanCosine(model, inputs, reference);
                if (c < floor) break;
                (chosen, cosine) = (level, c);
            }
            Prune(weight, original, chosen, previous);
            string layer = PocketModule.LayerName(name);
            keep[layer] = chosen;
            choices.Add(new LayerChoice(layer, weight.numel(), chosen, cosine));
        }
        return (new PruningRule.PerLayer(keep), choices);
    }

    /// <summary>
    /// The bits per layer of an already pruned checkpoint (its masks are kept) that hold the mean cosine ≥
    /// <paramref name="floor"/>, quantized as <see cref="QuantizationRun.Quantize"/> does; layers left float32 are not
    /// named (there are none when every layer at the widest width holds the floor).
    /// </summary>
    public static (BitWidths Bits, IReadOnlyList<LayerChoice> Layers) ChooseBits(Checkpoint pruned, ImageDataset inputs,
        ModelOutputs reference, double floor, CentroidInitialization init, int seed, IReadOnlyList<int>? levels = null)
    {
        levels ??= DefaultBits;
        using var model = ModuleState.Restore(pruned);
        var bits = new Dictionary<string, int>(StringComparer.Ordinal);
        var choices = new List<LayerChoice>();
        var layers = Ordered(model, pruned).Select(l =>
        {
            float[] values = l.Weight.detach().flatten().data<float>().ToArray();
            byte[] mask = pruned.Masks.TryGetValue(l.Name, out var m) ? m : values.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
            return (l.Name, l.Weight, Values: values, Mask: mask);
        }).ToList();
        // Start from every layer at the widest width, not float32: the search then measures each layer with the layers
        // after it already quantized, so the budget the first (largest) layers spend leaves every later one at least
        // the widest width. Started from float32, the largest layers spent it all and left the rest float32 (ResNet-18:
        // 9.3 MB with seven 3×3 convs float32, bench/results/data-free.md). Only if the widest width everywhere already
        // misses the floor does the search start from float32, and a layer may then stay float32.
        int widest = levels.Max();
        foreach (var l in layers) Set(l.Weight, Quantized(l.Values, l.Mask, widest, init, seed));
        double cosine = MeanCosine(model, inputs, reference);
        bool startQuantized = cosine >= floor;
        if (!startQuantized)
        {
            foreach (var l in layers) Set(l.Weight, l.Values);
            cosine = MeanCosine(model, inputs, reference);
        }
        foreach (var (name, weight, values, mask) in layers)
        {
            int? chosen = startQuantized ? widest : null;
            foreach (int b in levels.Where(b => !startQuantized || b < widest).OrderByDescending(b => b))
            {
                Set(weight, Quantized(values, mask, b, init, seed));
                double c = MeanCosine(model, inputs, reference);
                if (c < floor) break;
                (chosen, cosine) = (b, c);
            }
            Set(weight, chosen is int kept ? Quantized(values, mask, kept, init, seed) : values);
            string layer = PocketModule.LayerName(name);
            if (chosen is int k) bits[layer] = k;
            choices.Add(new LayerChoice(layer, values.Length, chosen, cosine));
        }
        return (new BitWidths(bits), choices);
    }

    /// <summary>The compressible weights, binarized ones excepted (already 1 bit), largest first, ties in forward order.</summary>
    private static IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Weight)> Ordered(PocketModule model, Checkpoint checkpoint) =>
        BinarizedLayers.NotBinarized(model, checkpoint).OrderByDescending(w => w.Weight.numel()).ToList();

    private static double MeanCosine(PocketModule model, ImageDataset inputs, ModelOutputs reference) =>
        OutputFidelity.Compare(reference, ModelOutputs.Of(model, inputs, model.InputShape)).MeanCosine;

    private static void Prune(TorchSharp.Modules.Parameter weight, Tensor original, double keep, Tensor? previous)
    {
        using var _ = no_grad();
        using var mask = MagnitudePruner.MaskKeepFraction(original, keep, previous);
        weight.copy_(original.mul(mask));
    }

    /// <summary>Every kept weight replaced by its centroid, pruned ones zero: the weights <see cref="QuantizationRun"/> would make.</summary>
    private static float[] Quantized(float[] values, byte[] mask, int bits, CentroidInitialization init, int seed)
    {
        var (codebook, codes, _) = QuantizationRun.Quantize(values, mask, bits, init, seed);
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = mask[i] != 0 ? codebook[codes[i]] : 0f;
        return result;
    }

    private static void Set(TorchSharp.Modules.Parameter weight, float[] values)
    {
        using var _ = no_grad();
        using var t = tensor(values, weight.shape);
        weight.copy_(t);
    }
}
