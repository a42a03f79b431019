using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class BinaryConvTests
{
    [Theory]
    [InlineData(3, 9, 9, 8, 3, 3, 1, 1, 1, 1)]     // odd K (27): filters are not byte-aligned in the bit stream
    [InlineData(16, 7, 7, 12, 1, 1, 1, 1, 0, 0)]   // pointwise, SEP-Net style
    [InlineData(8, 11, 10, 6, 3, 3, 2, 2, 1, 1)]   // strided
    [InlineData(6, 12, 12, 9, 5, 5, 1, 1, 2, 3)]   // grouped below
    public void BinaryConvEqualsDenseConvOfScaledSigns(int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW)
    {
        int groups = inC == 6 ? 3 : 1;
        var b = new ModelBuilder(inC + outC);
        int x = b.Input(inC, h, w);
        BinaryTensor weight = b.BinaryWeight("bconv.weight", outC, inC / groups, kH, kW);
        b.Conv(x, "bconv", inC, outC, kH, kW, sH, sW, pH, pW, groups, weight: weight);
        PocketModel binaryModel = b.Build();

        // The same network with the ±α weights written out densely.
        var dense = new Dictionary<string, PocketTensor>(binaryModel.Tensors)
        {
            ["bconv.weight"] = new DenseTensor("bconv.weight", weight.Shape, weight.ToDense()),
        };
        PocketModel denseModel = binaryModel with { Tensors = dense };

        PocketNetwork binaryNet = Assertions.MatchesTorch(binaryModel, batch: 2); // reference uses ToDense() too
        PocketNetwork denseNet = PocketNetwork.Load(denseModel);
        Assert.Contains("binary-conv", binaryNet.DescribeLayers()[0]);
        float[] input = Assertions.RandomInput(5, binaryNet.InputLength);
        Assertions.Close(denseNet.Predict(input), binaryNet.Predict(input));

        // Bits stay packed: ~1/32 of the float weights (plus per-filter scales and biases).
        long denseWeightBytes = 4L * weight.ElementCount;
        Assert.True(binaryNet.WeightBytes < denseWeightBytes / 8 + 8L * outC + 8, $"{binaryNet.WeightBytes} bytes");
    }

    [Fact]
    public void BatchNormFoldsIntoBinaryScales()
    {
        var b = new ModelBuilder(11);
        int x = b.Input(8, 6, 6);
        int c = b.Conv(x, "bconv", 8, 10, 3, 3, 1, 1, 1, 1, 1, bias: false, weight: b.BinaryWeight("bconv.weight", 10, 8, 3, 3));
        int bn = b.BatchNorm(c, "bn", 10);
        b.Op("relu", OpKind.Relu, bn);
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 3);
        Assert.Single(net.DescribeLayers());
        Assert.Contains("binary-conv", net.DescribeLayers()[0]);
    }
}
