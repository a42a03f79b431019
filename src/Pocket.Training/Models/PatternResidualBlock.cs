using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// SEP-Net's Pattern Residual Block (Li et al. 2017, §4.1): a k×k "pattern" convolution and a 1×1 "transform"
/// convolution read the same input and their outputs are summed, then BN + ReLU. The paper binarizes only the k×k
/// filters; the full-precision 1×1 path carries what binary patterns lose.
/// The k×k convolution is group-wise with <see cref="Groups"/> = 4 groups (the paper's N = 4), which cuts its weights
/// and mult-adds by 4; the 1×1 transform stays dense so that channels still mix across groups.
/// The pattern convolution is a plain <see cref="Conv2d"/> so a later pass can binarize every k×k weight.
/// Both convolutions are bias-free: the BN shift follows.
/// </summary>
public sealed class PatternResidualBlock : nn.Module<Tensor, Tensor>
{
    public const int Groups = 4;

    private readonly Conv2d pattern, transform;
    private readonly BatchNorm2d bn;
    private readonly int kernel;

    public PatternResidualBlock(string name, int channels, int kernel = 3) : base(name)
    {
        if (channels % Groups != 0) throw new ArgumentException($"{name}: {channels} channels do not split into {Groups} groups");
        if (kernel % 2 == 0) throw new ArgumentException($"{name}: kernel {kernel} must be odd to keep the map size");
        Channels = channels;
        this.kernel = kernel;
        pattern = nn.Conv2d(channels, channels, kernel, padding: kernel / 2, groups: Groups, bias: false);
        transform = nn.Conv2d(channels, channels, 1, bias: false);
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public int Channels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = pattern.forward(x) + transform.forward(x);
        return nn.functional.relu(bn.forward(y)).MoveToOuterDisposeScope();
    }

    public int Export(GraphBuilder g, string name, int x)
    {
        int p = g.Conv($"{name}.pattern", x, pattern, padding: kernel / 2, groups: Groups);
        int t = g.Conv($"{name}.transform", x, transform);
        return g.Relu(g.BatchNorm($"{name}.bn", g.Sum(p, t), Channels));
    }
}
