using Pocket.Format;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// MobileNet v1 (Howard et al. 2017, Table 1): a full 3×3 conv (stride 2) then 13 depthwise separable blocks,
/// global average pool and a fully connected classifier; Conv-BN-ReLU6 throughout (ReLU6 as in TensorFlow's
/// reference implementation; the paper writes ReLU). At 3×224×224, 1000 classes and α = 1 its conv and fc weights
/// number 4,209,088 and it does 569 M mult-adds.
/// Options: alpha (width multiplier, channels = max(8, int(c·α)), see <see cref="ChannelWidth"/>), resolution
/// (input size, applied by the training recipe), stride (conv1's stride, 2 as published; 1 for 32×32 inputs).
/// </summary>
public sealed class MobileNetV1 : PocketModule
{
    /// <summary>PyTorch's default (TensorFlow's reference uses 0.001; it does not change shapes or counts).</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Output channels and stride of the 13 depthwise separable blocks. The paper's table prints stride 2
    /// for the last one, but its output stays 7×7: the reference implementation uses stride 1, and so do we.</summary>
    private static readonly (int Channels, int Stride)[] Blocks =
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d conv1_bn;
    private readonly DepthwiseSeparableBlock[] blocks;
    private readonly Linear fc;
    private readonly int conv1Stride;

    /// <summary>The width multiplier; the training recipe reads it too (<see cref="Training.TrainingRecipes.For(ModelSpec)"/>).</summary>
    public static readonly ModelOption AlphaOption = new("alpha", ModelOption.ValueKind.Number, "1", "width multiplier α");
    private static readonly ModelOption Stride = new("stride", ModelOption.ValueKind.Integer, "2", "conv1's stride (2 as published; 1 for 32×32 inputs)");

    /// <summary>The keys this model accepts in its spec.</summary>
    public static IReadOnlyList<ModelOption> Options { get; } = [AlphaOption, Stride, ModelOption.Resolution];

    public MobileNetV1(ModelSpec spec, InputShape input, int classes) : base(nameof(MobileNetV1), spec, input, classes)
    {
        Alpha = AlphaOption.ReadNumber(spec);
        conv1Stride = Stride.ReadInteger(spec);
        int channels = ChannelWidth.Scale(32, Alpha);
        conv1 = nn.Conv2d(input.Channels, channels, 3, stride: conv1Stride, padding: 1, bias: false);
        conv1_bn = nn.BatchNorm2d(channels, eps: BatchNormEpsilon);
        // Registration order is state_dict order, which compression reads as forward order: conv1, blocks, fc.
        RegisterComponents();
        blocks = new DepthwiseSeparableBlock[Blocks.Length];
        for (int i = 0; i < Blocks.Length; i++)
        {
            blocks[i] = new DepthwiseSeparableBlock($"block{i + 1}", channels, ChannelWidth.Scale(Blocks[i].Channels, Alpha), Blocks[i].Stride);
            register_module(blocks[i].GetName(), blocks[i]);
            channels = blocks[i].OutputChannels;
        }
        fc = nn.Linear(channels, classes);
        register_module(nameof(fc), fc);
    }

    public double Alpha { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = nn.functional.relu6(conv1_bn.forward(conv1.forward(x)));
        foreach (var block in blocks) x = block.forward(x);
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return fc.forward(x).MoveToOuterDisposeScope();
    }

    public override ModelGraph ExportGraph()
    {
        var g = new GraphBuilder(InputShape);
        int x = g.Conv("conv1", g.Input, conv1, conv1Stride, padding: 1);
        x = g.Relu6(g.BatchNorm("conv1_bn", x, blocks[0].InputChannels, BatchNormEpsilon));
        for (int i = 0; i < blocks.Length; i++) x = blocks[i].Export(g, $"block{i + 1}", x);
        x = g.Flatten(g.GlobalAvgPool(x));
        g.Linear("fc", x, fc);
        return g.Build();
    }
}
