using Pocket.Format;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// SEP-Net (Li et al. 2017, "SEP-Nets: Small and Effective Pattern Networks"), our reconstruction: the paper does not
/// publish its full layer table, so the stage layout below is ours, sized to the paper's ≈1.3 M parameters at
/// 3×224×224 and 1000 classes (docs/models.md gives the table and the reasoning).
/// Stem: conv1 3×3/2 (32) and conv2 3×3/2 (64), each + BN + ReLU. Four stages of <see cref="SepNetModule"/>s at
/// 56², 28², 14² and 7² with 64, 128, 256, 512 channels; between stages a 3×3/2 max pool and a 1×1 conv + BN + ReLU
/// that doubles the channels. Global average pool, fc.
/// Options: width (multiplies every channel count, see <see cref="ChannelWidth"/>; reduced widths are rounded down to
/// a multiple of the PRB's 4 groups), stride (conv1's stride, 2 at ImageNet scale, 1 for 32×32 inputs).
/// </summary>
public sealed class SepNet : PocketModule
{
    /// <summary>Per stage: channels, reduced (bottleneck) channels inside each module, number of modules.</summary>
    private static readonly (int Channels, int Reduced, int Modules)[] Stages = [(64, 32, 2), (128, 64, 2), (256, 128, 2), (512, 96, 1)];

    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d conv1_bn, conv2_bn;
    private readonly List<(string Name, Conv2d Conv, BatchNorm2d Bn)> transitions = [];
    private readonly List<(string Name, SepNetModule Module)> sepModules = [];
    private readonly int[] transitionBeforeStage;
    private readonly Linear fc;
    private readonly int conv1Stride;

    private static readonly ModelOption Width = new("width", ModelOption.ValueKind.Number, "1", "channel width multiplier");
    private static readonly ModelOption Stride = new("stride", ModelOption.ValueKind.Integer, "2", "conv1's stride (2 as published; 1 for 32×32 inputs)");

    /// <summary>The keys this model accepts in its spec.</summary>
    public static IReadOnlyList<ModelOption> Options { get; } = [Width, Stride, ModelOption.Resolution];

    public SepNet(ModelSpec spec, InputShape input, int classes) : base(nameof(SepNet), spec, input, classes)
    {
        double width = Width.ReadNumber(spec);
        conv1Stride = Stride.ReadInteger(spec);
        int stem = ChannelWidth.Scale(32, width);
        int channels = ChannelWidth.Scale(Stages[0].Channels, width);
        conv1 = nn.Conv2d(input.Channels, stem, 3, stride: conv1Stride, padding: 1, bias: false);
        conv1_bn = nn.BatchNorm2d(stem);
        conv2 = nn.Conv2d(stem, channels, 3, stride: 2, padding: 1, bias: false);
        conv2_bn = nn.BatchNorm2d(channels);
        // Registration order is state_dict order, which compression reads as forward order: stem, stages, fc.
        RegisterComponents();

        transitionBeforeStage = new int[Stages.Length];
        for (int s = 0; s < Stages.Length; s++)
        {
            transitionBeforeStage[s] = -1;
            int stageChannels = ChannelWidth.Scale(Stages[s].Channels, width);
            if (s > 0)
            {
                // Downsample by pooling, then widen with a cheap 1×1 conv rather than a strided k×k one.
                string name = $"expand{s + 1}";
                var conv = nn.Conv2d(channels, stageChannels, 1, bias: false);
                var bn = nn.BatchNorm2d(stageChannels);
                register_module(name, conv);
                register_module($"{name}_bn", bn);
                transitionBeforeStage[s] = transitions.Count;
                transitions.Add((name, conv, bn));
            }
            channels = stageChannels;
            int reduced = Math.Max(PatternResidualBlock.Groups, ChannelWidth.Scale(Stages[s].Reduced, width) / PatternResidualBlock.Groups * PatternResidualBlock.Groups);
            for (int m = 0; m < Stages[s].Modules; m++)
            {
                string name = $"sep{s + 1}_{m + 1}";
                var module = new SepNetModule(name, channels, reduced);
                register_module(name, module);
                sepModules.Add((name, module));
            }
        }
        fc = nn.Linear(channels, classes);
        register_module(nameof(fc), fc);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = nn.functional.relu(conv1_bn.forward(conv1.forward(x)));
        x = nn.functional.relu(conv2_bn.forward(conv2.forward(x)));
        int next = 0;
        for (int s = 0; s < Stages.Length; s++)
        {
            if (transitionBeforeStage[s] >= 0)
            {
                var (_, conv, bn) = transitions[transitionBeforeStage[s]];
                x = nn.functional.max_pool2d(x, 3, 2, 1);
                x = nn.functional.relu(bn.forward(conv.forward(x)));
            }
            for (int m = 0; m < Stages[s].Modules; m++) x = sepModules[next++].Module.forward(x);
        }
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return fc.forward(x).MoveToOuterDisposeScope();
    }

    public override ModelGraph ExportGraph()
    {
        var g = new GraphBuilder(InputShape);
        int x = g.Relu(g.BatchNorm("conv1_bn", g.Conv("conv1", g.Input, conv1, conv1Stride, padding: 1), (int)conv1.weight!.shape[0]));
        x = g.Relu(g.BatchNorm("conv2_bn", g.Conv("conv2", x, conv2, 2, padding: 1), (int)conv2.weight!.shape[0]));
        int next = 0;
        for (int s = 0; s < Stages.Length; s++)
        {
            if (transitionBeforeStage[s] >= 0)
            {
                var (name, conv, _) = transitions[transitionBeforeStage[s]];
                x = g.MaxPool(x, 3, 2, 1);
                x = g.Relu(g.BatchNorm($"{name}_bn", g.Conv(name, x, conv), (int)conv.weight!.shape[0]));
            }
            for (int m = 0; m < Stages[s].Modules; m++)
            {
                var (name, module) = sepModules[next++];
                x = module.Export(g, name, x);
            }
        }
        x = g.Flatten(g.GlobalAvgPool(x));
        g.Linear("fc", x, fc);
        return g.Build();
    }
}
