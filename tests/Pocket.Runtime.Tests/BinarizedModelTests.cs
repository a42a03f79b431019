using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// A whole binarized SEP-Net, as `pocket binarize` + `pocket encode` write it: the runtime's add/subtract kernels on
/// the packed bits must give TorchSharp's logits for the ±α weights (the binarized checkpoint) within 1e-4.
/// </summary>
public class BinarizedModelTests
{
    /// <summary>What the binarization pass stores for a float filter bank: α = mean |W| per filter, bit set where w ≥ 0.</summary>
    private static BinaryTensor Binarized(ModelBuilder b, string name, int outC, int inPerGroup, int k)
    {
        int perFilter = inPerGroup * k * k;
        float[] w = b.RandomValues((long)outC * perFilter, 1f / MathF.Sqrt(perFilter));
        var scales = new float[outC];
        var bits = new byte[(w.Length + 7) / 8];
        for (int f = 0; f < outC; f++)
        {
            double sum = 0;
            for (int i = 0; i < perFilter; i++) sum += Math.Abs(w[f * perFilter + i]);
            scales[f] = (float)(sum / perFilter);
        }
        for (int i = 0; i < w.Length; i++) if (w[i] >= 0) bits[i >> 3] |= (byte)(1 << (i & 7));
        return new BinaryTensor(name + ".weight", [outC, inPerGroup, k, k], scales, bits);
    }

    [Fact]
    public void Binarized_sepnet_logits_match_torch_and_every_kxk_conv_runs_on_bits()
    {
        // Stem conv1 3×3/2 (binary) + BN + ReLU; one SEP module (C = 16, r = 8): reduce 1×1, two PRBs (grouped 3×3
        // binary pattern ∥ float 1×1 transform, summed, BN, ReLU), recover 1×1 + BN, residual add, ReLU; GAP; fc.
        var b = new ModelBuilder(17);
        const int c = 16, r = 8, groups = 4;
        int x = b.Input(1, 16, 16);
        int conv1 = b.Conv(x, "conv1", 1, c, 3, 3, 2, 2, 1, 1, bias: false, weight: Binarized(b, "conv1", c, 1, 3));
        int stem = b.Op("conv1_relu", OpKind.Relu, b.BatchNorm(conv1, "conv1_bn", c));
        int reduce = b.Op("reduce_relu", OpKind.Relu, b.BatchNorm(b.Conv(stem, "reduce", c, r, 1, 1, bias: false), "reduce_bn", r));
        int y = reduce;
        foreach (string prb in new[] { "prb1", "prb2" })
        {
            int pattern = b.Conv(y, prb + ".pattern", r, r, 3, 3, 1, 1, 1, 1, groups, bias: false, weight: Binarized(b, prb + ".pattern", r, r / groups, 3));
            int transform = b.Conv(y, prb + ".transform", r, r, 1, 1, bias: false);
            int sum = b.Op(prb + ".add", OpKind.Add, pattern, transform);
            y = b.Op(prb + ".relu", OpKind.Relu, b.BatchNorm(sum, prb + ".bn", r));
        }
        int recover = b.BatchNorm(b.Conv(y, "recover", r, c, 1, 1, bias: false), "recover_bn", c);
        int module = b.Op("module_relu", OpKind.Relu, b.Op("module_add", OpKind.Add, recover, stem));
        int gap = b.Op("gap", OpKind.GlobalAvgPool, module);
        b.Linear(b.Op("flatten", OpKind.Flatten, gap), "fc", c, 10);
        PocketModel model = b.Build();

        // Through the file format too, as the runtime reads it in `pocket run`.
        PocketModel read = PocketFile.Decode(PocketFile.Encode(model));
        PocketNetwork network = Assertions.MatchesTorch(read, batch: 3);
        var layers = network.DescribeLayers();
        Assert.Equal(3, layers.Count(l => l.Contains("binary-conv")));
    }
}
