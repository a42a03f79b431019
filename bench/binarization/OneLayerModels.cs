using Pocket.Format;

namespace Pocket.Bench.Binarization;

/// <summary>
/// The same conv twice: with a <see cref="BinaryTensor"/> weight (bits set where a random float weight is ≥ 0, α = its
/// filter's mean |w|, as `pocket binarize` stores it) and with those ±α values as a <see cref="DenseTensor"/>, so the
/// two networks compute the same function and only the kernel differs.
/// </summary>
public static class OneLayerModels
{
    public static (PocketModel Binary, PocketModel Dense) Build(ConvCase c, int seed)
    {
        var random = new Random(seed);
        int perFilter = c.InChannels / c.Groups * c.Kernel * c.Kernel;
        var weights = new float[(long)c.OutChannels * perFilter];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 2 - 1);
        var scales = new float[c.OutChannels];
        for (int f = 0; f < c.OutChannels; f++)
            scales[f] = weights.AsSpan(f * perFilter, perFilter).ToArray().Average(MathF.Abs);
        var bits = new byte[(weights.Length + 7) / 8];
        for (int i = 0; i < weights.Length; i++) if (weights[i] >= 0) bits[i >> 3] |= (byte)(1 << (i & 7));
        int[] shape = [c.OutChannels, c.InChannels / c.Groups, c.Kernel, c.Kernel];
        var binary = new BinaryTensor("conv.weight", shape, scales, bits);
        var dense = new DenseTensor("conv.weight", shape, binary.ToDense());
        var bias = new DenseTensor("conv.bias", [c.OutChannels], new float[c.OutChannels]);
        return (Model(c, binary, bias), Model(c, dense, bias));
    }

    private static PocketModel Model(ConvCase c, PocketTensor weight, PocketTensor bias)
    {
        var graph = new ModelGraph([
            GraphNode.Create("input", OpKind.Input, [], [c.InChannels, c.Height, c.Width]),
            GraphNode.Create("conv", OpKind.Conv2d, [0],
                [c.OutChannels, c.InChannels, c.Kernel, c.Kernel, c.Stride, c.Stride, c.Padding, c.Padding, c.Groups], [weight.Name, bias.Name]),
        ]);
        return new PocketModel(graph, new Dictionary<string, PocketTensor> { [weight.Name] = weight, [bias.Name] = bias }, new Dictionary<string, string>());
    }
}
