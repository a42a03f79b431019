using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class ConvTests
{
    [Theory]
    [InlineData(3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1)]      // plain 3x3 same-padding, odd sizes
    [InlineData(4, 10, 11, 6, 3, 5, 2, 1, 1, 2, 1)]    // rectangular kernel, mixed stride/padding
    [InlineData(1, 28, 28, 20, 5, 5, 1, 1, 0, 0, 1)]   // LeNet conv1
    [InlineData(3, 4, 4, 2, 5, 5, 1, 1, 2, 2, 1)]      // kernel larger than the input, rescued by padding
    [InlineData(5, 9, 8, 7, 3, 3, 3, 3, 0, 0, 1)]      // stride 3, input not a multiple
    [InlineData(8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 8)]      // depthwise
    [InlineData(8, 10, 7, 8, 3, 3, 2, 2, 1, 1, 8)]     // depthwise stride 2
    [InlineData(4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 4)]      // depthwise with channel multiplier 2
    [InlineData(6, 5, 30, 6, 3, 5, 1, 1, 1, 2, 6)]     // depthwise, wide rows: vector tail overlaps, rectangular kernel
    [InlineData(4, 12, 19, 8, 5, 5, 2, 1, 2, 2, 4)]    // depthwise multiplier 2, vertical stride only
    [InlineData(3, 6, 4, 3, 3, 3, 1, 1, 1, 1, 3)]      // depthwise, rows narrower than a vector
    [InlineData(6, 9, 9, 9, 3, 3, 2, 2, 0, 1, 3)]      // grouped
    [InlineData(16, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1)]    // pointwise fast path
    [InlineData(16, 7, 7, 24, 1, 1, 2, 2, 0, 0, 1)]    // 1x1 with stride (not the fast path)
    [InlineData(6, 5, 5, 4, 1, 1, 1, 1, 0, 0, 2)]      // grouped pointwise
    [InlineData(16, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1)]  // wider: several 4-row GEMM blocks and vector tails
    [InlineData(3, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1)]      // 1x1 input, all but the centre tap in padding
    public void Conv2dMatchesTorch(int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW, int groups)
    {
        var b = new ModelBuilder(inC * 1000 + h * 10 + groups);
        int x = b.Input(inC, h, w);
        b.Conv(x, "conv", inC, outC, kH, kW, sH, sW, pH, pW, groups);
        Assertions.MatchesTorch(b.Build(), batch: 3);
    }

    [Fact]
    public void ConvWithoutBiasAndFusedReluMatchesTorch()
    {
        var b = new ModelBuilder(7);
        int x = b.Input(5, 11, 11);
        int c = b.Conv(x, "conv", 5, 9, 3, 3, 1, 1, 1, 1, 1, bias: false);
        b.Op("relu", OpKind.Relu, c);
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 2);
        Assert.Single(net.DescribeLayers());
        Assert.Contains("+relu", net.DescribeLayers()[0]);
    }

    [Fact]
    public void QuantizedAndSparseConvWeightsMatchTorch()
    {
        var b = new ModelBuilder(8);
        int x = b.Input(4, 9, 9);
        float[] codebook = b.RandomValues(16, 0.4f);
        var codes = Enumerable.Range(0, 6 * 4 * 9).Select(_ => (ushort)b.Random.Next(16)).ToArray();
        int c1 = b.Conv(x, "q", 4, 6, 3, 3, 1, 1, 1, 1, 1, weight: new QuantizedDenseTensor("q.weight", [6, 4, 3, 3], codebook, codes));
        var sparse = b.SparseWeight("s.weight", 8, 6 * 9, 0.3, 4);
        b.Conv(c1, "s", 6, 8, 3, 3, 1, 1, 0, 0, 1, weight: sparse with { Shape = [8, 6, 3, 3] });
        Assertions.MatchesTorch(b.Build(), batch: 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNormFoldedOrStandaloneMatchesTorch(bool foldable)
    {
        var b = new ModelBuilder(9);
        int x = b.Input(6, 8, 8);
        int c = b.Conv(x, "conv", 6, 6, 3, 3, 1, 1, 1, 1, 1);
        int bn = b.BatchNorm(c, "bn", 6, 1e-3f);
        int r = b.Op("relu6", OpKind.Relu6, bn);
        if (!foldable) b.Op("add", OpKind.Add, r, c); // the conv output is read twice: no folding allowed
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 2);
        Assert.Equal(foldable ? 1 : 3, net.DescribeLayers().Count);
    }

    [Fact]
    public void ParallelConvIsBitIdenticalToSequential()
    {
        var b = new ModelBuilder(10);
        int x = b.Input(16, 24, 24);
        int c = b.Conv(x, "conv", 16, 64, 3, 3, 1, 1, 1, 1, 1);
        b.Conv(c, "dw", 64, 64, 3, 3, 1, 1, 1, 1, 64);
        PocketModel model = b.Build();
        float[] input = Assertions.RandomInput(3, 16 * 24 * 24);
        float[] sequential = PocketNetwork.Load(model).Predict(input);
        float[] parallel = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 4 }).Predict(input);
        Assert.Equal(sequential, parallel);
    }
}
