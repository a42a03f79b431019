using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>Whole networks of the shapes Pocket ships, against the TorchSharp interpreter (float64).</summary>
public class GraphTests
{
    internal static PocketModel LeNet5(int seed, bool compressed)
    {
        var b = new ModelBuilder(seed);
        int x = b.Input(1, 28, 28);
        int c1 = b.Conv(x, "conv1", 1, 20, 5, 5);
        int p1 = b.Pool(c1, "pool1", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        int c2 = b.Conv(p1, "conv2", 20, 50, 5, 5);
        int p2 = b.Pool(c2, "pool2", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        int flat = b.Op("flatten", OpKind.Flatten, p2);
        int fc1 = b.Linear(flat, "fc1", 800, 500, weight: compressed ? b.SparseWeight("fc1.weight", 500, 800, 0.08, 5) : null);
        int relu = b.Op("relu", OpKind.Relu, fc1);
        b.Linear(relu, "fc2", 500, 10, weight: compressed ? b.SparseWeight("fc2.weight", 10, 500, 0.2, 5) : null);
        return b.Build();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeNet5MatchesTorch(bool compressed)
    {
        PocketNetwork net = Assertions.MatchesTorch(LeNet5(1, compressed), batch: 10);
        Assert.Equal(10, net.OutputLength);
        Assert.Equal(new TensorShape(1, 28, 28), net.InputShape);
        Assert.Equal(6, net.DescribeLayers().Count); // flatten is free, relu fused into fc1
    }

    [Fact]
    public void FireModuleWithBypassMatchesTorch()
    {
        var b = new ModelBuilder(2);
        int x = b.Input(32, 13, 13);
        int squeeze = b.Op("fire.squeeze.relu", OpKind.Relu, b.Conv(x, "fire.squeeze", 32, 8, 1, 1));
        int e1 = b.Op("fire.e1.relu", OpKind.Relu, b.Conv(squeeze, "fire.e1", 8, 16, 1, 1));
        int e3 = b.Op("fire.e3.relu", OpKind.Relu, b.Conv(squeeze, "fire.e3", 8, 16, 3, 3, 1, 1, 1, 1));
        int cat = b.Op("fire.concat", OpKind.Concat, e1, e3);
        int bypass = b.Op("fire.bypass", OpKind.Add, cat, x);
        int pool = b.Pool(bypass, "pool", OpKind.MaxPool2d, 3, 3, 2, 2, 0, 0, true);
        int cls = b.Op("cls.relu", OpKind.Relu, b.Conv(pool, "cls", 32, 10, 1, 1));
        int gap = b.Op("gap", OpKind.GlobalAvgPool, cls);
        int flat = b.Op("flatten", OpKind.Flatten, gap);
        b.Op("softmax", OpKind.Softmax, flat);
        Assertions.MatchesTorch(b.Build(), batch: 3);
    }

    [Fact]
    public void DepthwiseSeparableBlockWithBatchNormAndRelu6MatchesTorch()
    {
        var b = new ModelBuilder(3);
        int x = b.Input(3, 17, 17);
        int stem = b.Op("stem.relu6", OpKind.Relu6, b.BatchNorm(b.Conv(x, "stem", 3, 8, 3, 3, 2, 2, 1, 1, bias: false), "stem.bn", 8));
        int dw = b.Op("dw.relu6", OpKind.Relu6, b.BatchNorm(b.Conv(stem, "dw", 8, 8, 3, 3, 1, 1, 1, 1, 8, bias: false), "dw.bn", 8));
        int pw = b.Op("pw.relu6", OpKind.Relu6, b.BatchNorm(b.Conv(dw, "pw", 8, 16, 1, 1, bias: false), "pw.bn", 16));
        int pool = b.Pool(pw, "avg", OpKind.AvgPool2d, 3, 3, 2, 2, 1, 1, true);
        int gap = b.Op("gap", OpKind.GlobalAvgPool, pool);
        int fc = b.Linear(b.Op("flatten", OpKind.Flatten, gap), "fc", 16, 5);
        b.Op("softmax", OpKind.Softmax, fc);
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 4);
        Assert.Contains(net.DescribeLayers(), l => l.StartsWith("dw+dw.bn+dw.relu6: depthwise-direct", StringComparison.Ordinal));
    }

    [Fact]
    public void InputOnlyAndFlattenOnlyGraphsPassValuesThrough()
    {
        var b = new ModelBuilder(4);
        int x = b.Input(2, 3, 3);
        b.Op("flatten", OpKind.Flatten, x);
        PocketNetwork net = PocketNetwork.Load(b.Build());
        float[] input = Assertions.RandomInput(1, 18);
        Assert.Equal(input, net.Predict(input));
    }
}
