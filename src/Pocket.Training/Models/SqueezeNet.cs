using Pocket.Format;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// SqueezeNet v1.0 and v1.1 (Iandola et al. 2016) in torchvision's layout: conv1 → max pools with ceil_mode
/// between Fire modules → dropout (training only) → 1×1 conv10 classifier → ReLU → global average pool.
/// Layers are named as in the paper (conv1, fire2 … fire9, conv10). At 3×224×224 and 1000 classes v1.0 has
/// 1,248,424 parameters and v1.1 1,235,496, biases included.
/// Options: bypass=none|simple|complex (§6.2: identity bypasses around fire3/5/7/9; complex adds 1×1 conv
/// bypasses around fire2/4/6/8), width (multiplies every channel count, see <see cref="ChannelWidth"/>),
/// stride (conv1's stride, 2 as published; 1 keeps small inputs such as 32×32 from collapsing).
/// </summary>
public sealed class SqueezeNet : PocketModule
{
    /// <summary>Squeeze and expand channels of fire2 … fire9, the same in both versions (paper Table 1).</summary>
    private static readonly (int Squeeze, int Expand)[] Fires = [(16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256), (64, 256)];

    private readonly Conv2d conv1, conv10;
    private readonly SqueezeNetFire[] fires;
    private readonly HashSet<int> poolAfterFire;
    private readonly int conv1Stride;

    private static readonly ModelOption Width = new("width", ModelOption.ValueKind.Number, "1", "channel width multiplier");
    private static readonly ModelOption Stride = new("stride", ModelOption.ValueKind.Integer, "2", "conv1's stride (2 as published; 1 for 32×32 inputs)");
    private static readonly ModelOption Bypass = new("bypass", ModelOption.ValueKind.Choice, "none", "bypass connections around fire modules") { Choices = ["none", "simple", "complex"] };

    /// <summary>The keys this model accepts in its spec.</summary>
    public static IReadOnlyList<ModelOption> Options { get; } = [Width, Stride, Bypass, ModelOption.Resolution];

    public SqueezeNet(ModelSpec spec, InputShape input, int classes, SqueezeNetVersion version) : base(nameof(SqueezeNet), spec, input, classes)
    {
        Version = version;
        double width = Width.ReadNumber(spec);
        conv1Stride = Stride.ReadInteger(spec);
        var bypass = ParseBypass(Bypass.ReadChoice(spec));

        // v1.1 moves the pools earlier and uses a 3×3/64 conv1, for 2.4× less computation at the same accuracy.
        (int conv1Channels, int conv1Kernel) = version == SqueezeNetVersion.V1_0 ? (96, 7) : (64, 3);
        poolAfterFire = version == SqueezeNetVersion.V1_0 ? [4, 8] : [3, 5];
        conv1 = nn.Conv2d(input.Channels, ChannelWidth.Scale(conv1Channels, width), conv1Kernel, stride: conv1Stride);
        // Registration order is state_dict order, which compression reads as forward order: conv1, fires, conv10.
        RegisterComponents();

        fires = new SqueezeNetFire[Fires.Length];
        int channels = ChannelWidth.Scale(conv1Channels, width);
        for (int i = 0; i < Fires.Length; i++)
        {
            int number = i + 2;
            var (squeeze, expand) = Fires[i];
            // Odd fires (3, 5, 7, 9) keep their channel count and so take an identity bypass; the even ones
            // change it and can only be bypassed through a projection (the paper's "complex" bypass).
            var kind = bypass switch
            {
                SqueezeNetBypassMode.Simple or SqueezeNetBypassMode.Complex when number % 2 == 1 => FireBypass.Identity,
                SqueezeNetBypassMode.Complex => FireBypass.Projection,
                _ => FireBypass.None,
            };
            fires[i] = new SqueezeNetFire($"fire{number}", channels, ChannelWidth.Scale(squeeze, width), ChannelWidth.Scale(expand, width), kind);
            register_module(fires[i].GetName(), fires[i]);
            channels = fires[i].OutputChannels;
        }
        conv10 = nn.Conv2d(channels, classes, 1);
        register_module(nameof(conv10), conv10);
        Initialize();
    }

    public SqueezeNetVersion Version { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = MaxPool(nn.functional.relu(conv1.forward(x)));
        for (int i = 0; i < fires.Length; i++)
        {
            x = fires[i].forward(x);
            if (poolAfterFire.Contains(i + 2)) x = MaxPool(x);
        }
        x = nn.functional.dropout(x, 0.5, training);
        x = nn.functional.relu(conv10.forward(x));
        return nn.functional.adaptive_avg_pool2d(x, 1).flatten(1).MoveToOuterDisposeScope();
    }

    public override ModelGraph ExportGraph()
    {
        var g = new GraphBuilder(InputShape);
        int x = g.MaxPool(g.Relu(g.Conv("conv1", g.Input, conv1, stride: conv1Stride)), 3, 2, ceilMode: true);
        for (int i = 0; i < fires.Length; i++)
        {
            x = fires[i].Export(g, $"fire{i + 2}", x);
            if (poolAfterFire.Contains(i + 2)) x = g.MaxPool(x, 3, 2, ceilMode: true);
        }
        // Dropout is the identity at inference, so the graph has none.
        x = g.Relu(g.Conv("conv10", x, conv10));
        g.Flatten(g.GlobalAvgPool(x));
        return g.Build();
    }

    private static Tensor MaxPool(Tensor x) => nn.functional.max_pool2d(x, 3, 2, ceil_mode: true);

    /// <summary>torchvision's initialisation: Kaiming-uniform convolutions, zero biases, and a small normal conv10
    /// so the classifier starts near uniform. Without BatchNorm, TorchSharp's default init shrinks the signal too much.</summary>
    private void Initialize()
    {
        using var noGrad = torch.no_grad();
        foreach (var conv in fires.SelectMany(f => f.Convolutions).Prepend(conv1))
        {
            nn.init.kaiming_uniform_(conv.weight!);
            nn.init.zeros_(conv.bias!);
        }
        nn.init.normal_(conv10.weight!, 0, 0.01);
        nn.init.zeros_(conv10.bias!);
    }

    private static SqueezeNetBypassMode ParseBypass(string choice) => choice switch
    {
        "simple" => SqueezeNetBypassMode.Simple,
        "complex" => SqueezeNetBypassMode.Complex,
        _ => SqueezeNetBypassMode.None,
    };
}
