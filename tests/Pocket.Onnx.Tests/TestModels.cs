using Pocket.Format;

namespace Pocket.Onnx.Tests;

/// <summary>The graphs the exporter is checked on: the two LeNets of Deep Compression and a conv graph that uses every
/// remaining op (BatchNorm, concat, bypass add, depthwise conv, ceil-mode and padded pools, ReLU6, global pooling).</summary>
internal static class TestModels
{
    /// <summary>LeNet-300-100 on 1×28×28, with sparse 5-bit weights (≈8% kept, as in the paper).</summary>
    public static PocketModel LeNet300(int seed = 1)
    {
        var g = new GraphBuilder(seed);
        int x = g.Op("flatten", OpKind.Flatten, g.Input(1, 28, 28));
        x = g.Op("relu1", OpKind.Relu, g.Linear(x, "fc1", 784, 300, density: 0.08));
        x = g.Op("relu2", OpKind.Relu, g.Linear(x, "fc2", 300, 100, density: 0.09));
        g.Linear(x, "fc3", 100, 10, density: 0.26);
        return g.Build();
    }

    /// <summary>LeNet-5 (Caffe variant) on 1×28×28: conv 20 → pool → conv 50 → pool → fc 500 → fc 10.</summary>
    public static PocketModel LeNet5(int seed = 2)
    {
        var g = new GraphBuilder(seed);
        int x = g.Pool(g.Conv(g.Input(1, 28, 28), "conv1", 1, 20, 5, quantized: true), "pool1", OpKind.MaxPool2d, 2, 2);
        x = g.Pool(g.Conv(x, "conv2", 20, 50, 5, quantized: true), "pool2", OpKind.MaxPool2d, 2, 2);
        // No Flatten node: Pocket's Linear reads its input flattened, the exporter must add one.
        x = g.Op("relu3", OpKind.Relu, g.Linear(x, "fc1", 50 * 4 * 4, 500, density: 0.08));
        g.Linear(x, "fc2", 500, 10, density: 0.19);
        return g.Build();
    }

    /// <summary>A small SqueezeNet/MobileNet-like graph covering the other ops, ending in Softmax.</summary>
    public static PocketModel ConvZoo(int seed = 3)
    {
        var g = new GraphBuilder(seed);
        int input = g.Input(3, 10, 10);
        int x = g.Op("relu1", OpKind.Relu, g.BatchNorm(g.Conv(input, "conv1", 3, 8, 3, pad: 1, bias: false), "bn1", 8));
        x = g.Pool(x, "pool1", OpKind.MaxPool2d, 3, 2, ceil: true);                                  // 10 → 5 (floor would give 4)
        int squeeze = g.Op("squeeze_relu", OpKind.Relu, g.Conv(x, "squeeze", 8, 4, 1));
        int e1 = g.Op("e1_relu", OpKind.Relu, g.Conv(squeeze, "expand1x1", 4, 4, 1));
        int e3 = g.Op("e3_relu", OpKind.Relu, g.Conv(squeeze, "expand3x3", 4, 4, 3, pad: 1));
        int fire = g.Op("concat", OpKind.Concat, e1, e3);
        x = g.Op("bypass", OpKind.Add, fire, x);                                                     // SqueezeNet bypass
        int dw = g.Op("dw_relu6", OpKind.Relu6, g.BatchNorm(g.Conv(x, "dw", 8, 8, 3, pad: 1, groups: 8, bias: false), "dw_bn", 8));
        int pw = g.Op("pw_relu6", OpKind.Relu6, g.Conv(dw, "pw", 8, 12, 1));
        x = g.Pool(pw, "pool2", OpKind.AvgPool2d, 3, 2, pad: 1, ceil: true);                         // 5 → 3, padded, ceil
        x = g.Pool(x, "pool3", OpKind.AvgPool2d, 2, 2, ceil: true);                                  // 3 → 2, window past the edge
        x = g.Op("gap", OpKind.GlobalAvgPool, g.Conv(x, "classifier", 12, 10, 1));
        g.Op("softmax", OpKind.Softmax, x);
        return g.Build();
    }
}
