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
        var b = new ModelBuilder(3);
        int x = b.Input(1, 4, 6);
        b.Pool(x, "pool", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        PocketNetwork net = PocketNetwork.Load(b.Build());
        float[] input = Assertions.RandomInput(4, 24);
        input[1 * 6 + 3] = float.NaN; // row 1 (first window row pair), column 3: output (0, 1)
        input[2 * 6 + 4] = float.NaN; // row 2 (second pair), column 4: output (1, 2)
        float[] output = net.Predict(input);
        for (int i = 0; i < output.Length; i++)
            Assert.Equal(i == 1 || i == 5, float.IsNaN(output[i]));
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
