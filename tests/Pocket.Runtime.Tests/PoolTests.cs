using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class PoolTests
{
    [Theory]
    [InlineData(3, 7, 7, 2, 2, 2, 2, 0, 0, false)]
    [InlineData(3, 7, 7, 2, 2, 2, 2, 0, 0, true)]    // ceil mode adds a partial last window
    [InlineData(2, 5, 5, 2, 2, 2, 2, 1, 1, true)]    // ceil mode window that would start in the right padding is dropped
    [InlineData(2, 13, 13, 3, 3, 2, 2, 0, 0, true)]  // SqueezeNet's pool
    [InlineData(2, 8, 8, 3, 3, 2, 2, 1, 1, true)]
    [InlineData(2, 6, 6, 3, 3, 3, 3, 1, 1, true)]
    [InlineData(3, 9, 11, 3, 2, 2, 3, 1, 1, false)]  // rectangular kernel and stride
    [InlineData(3, 9, 11, 3, 2, 2, 3, 1, 1, true)]
    [InlineData(1, 10, 10, 4, 4, 3, 3, 2, 2, true)]
    [InlineData(2, 4, 5, 3, 3, 1, 1, 1, 1, false)]   // stride 1, "same" pooling
    [InlineData(2, 111, 111, 3, 3, 2, 2, 0, 0, true)] // SqueezeNet's first pool at 224: rows wider than the vectorised stride-2 split
    [InlineData(2, 57, 56, 3, 3, 2, 2, 1, 1, false)] // SEP-Net's pools: padding, odd height
    public void PoolsMatchTorch(int c, int h, int w, int kH, int kW, int sH, int sW, int pH, int pW, bool ceil)
    {
        foreach (OpKind op in new[] { OpKind.MaxPool2d, OpKind.AvgPool2d })
        {
            var b = new ModelBuilder(1);
            int x = b.Input(c, h, w);
            b.Pool(x, "pool", op, kH, kW, sH, sW, pH, pW, ceil);
            Assertions.MatchesTorch(b.Build(), batch: 2, seed: h * w);
        }
    }

    [Fact]
    public void MaxPoolPropagatesNaNLikeTorch()
    {
        // 22 columns: the vertical max runs vectorised over the first 16 or 20 and scalar over the rest.
        var b = new ModelBuilder(3);
        int x = b.Input(1, 4, 22);
        b.Pool(x, "pool", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        PocketNetwork net = PocketNetwork.Load(b.Build());
        float[] input = Assertions.RandomInput(4, 4 * 22);
        (int Y, int X)[] nans = [(1, 3), (2, 4), (1, 21), (3, 12), (0, 9)];
        foreach ((int y, int x2) in nans) input[y * 22 + x2] = float.NaN;
        float[] output = net.Predict(input);
        var expectedNaN = nans.Select(p => p.Y / 2 * 11 + p.X / 2).ToHashSet();
        for (int i = 0; i < output.Length; i++)
            Assert.True(expectedNaN.Contains(i) == float.IsNaN(output[i]), $"output {i} = {output[i]}");
    }

    [Fact]
    public void ElementwiseOpsMatchTorch()
    {
        var b = new ModelBuilder(2);
        int x = b.Input(4, 5, 6);
        int r = b.Op("relu", OpKind.Relu, x);
        int r6 = b.Op("relu6", OpKind.Relu6, b.Op("scaled", OpKind.Add, x, b.Op("x2", OpKind.Add, x, x)));
        int cat = b.Op("cat", OpKind.Concat, r, r6, x);
        int gap = b.Op("gap", OpKind.GlobalAvgPool, cat);
        int flat = b.Op("flat", OpKind.Flatten, gap);
        b.Op("softmax", OpKind.Softmax, flat);
        Assertions.MatchesTorch(b.Build(), batch: 3);
    }
}
