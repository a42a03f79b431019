using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// The SEP-Net module (Li et al. 2017, §4.2): 1×1 dimension reduction (C → r) + BN + ReLU, two Pattern Residual
/// Blocks at r channels, 1×1 dimension recovery (r → C) + BN, then the module's input is added and ReLU applied
/// (post-activation, as in ResNet, so the identity path stays linear up to the add).
/// </summary>
public sealed class SepNetModule : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d reduce, recover;
    private readonly BatchNorm2d reduce_bn, recover_bn;
    private readonly PatternResidualBlock prb1, prb2;

    public SepNetModule(string name, int channels, int reducedChannels) : base(name)
    {
        Channels = channels;
        ReducedChannels = reducedChannels;
        reduce = nn.Conv2d(channels, reducedChannels, 1, bias: false);
        reduce_bn = nn.BatchNorm2d(reducedChannels);
        prb1 = new PatternResidualBlock("prb1", reducedChannels);
        prb2 = new PatternResidualBlock("prb2", reducedChannels);
        recover = nn.Conv2d(reducedChannels, channels, 1, bias: false);
        recover_bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public int Channels { get; }
    public int ReducedChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(reduce_bn.forward(reduce.forward(x)));
        y = prb2.forward(prb1.forward(y));
        y = recover_bn.forward(recover.forward(y));
        return nn.functional.relu(y + x).MoveToOuterDisposeScope();
    }

    public int Export(GraphBuilder g, string name, int x)
    {
        int y = g.Relu(g.BatchNorm($"{name}.reduce_bn", g.Conv($"{name}.reduce", x, reduce), ReducedChannels));
        y = prb1.Export(g, $"{name}.prb1", y);
        y = prb2.Export(g, $"{name}.prb2", y);
        y = g.BatchNorm($"{name}.recover_bn", g.Conv($"{name}.recover", y, recover), Channels);
        return g.Relu(g.Sum(y, x));
    }
}
