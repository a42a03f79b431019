using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// SqueezeNet's Fire module: a 1×1 "squeeze" convolution, then 1×1 and 3×3 "expand" convolutions on the squeezed
/// maps whose ReLU outputs are concatenated. Field names are the state_dict keys ("fire2.squeeze.weight", …),
/// so the exported graph can name its tensors after them.
/// </summary>
public sealed class SqueezeNetFire : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d squeeze, expand1x1, expand3x3;
    private readonly Conv2d? bypass;

    public SqueezeNetFire(string name, int inputChannels, int squeezeChannels, int expandChannels, FireBypass bypassKind) : base(name)
    {
        InputChannels = inputChannels;
        OutputChannels = 2 * expandChannels;
        Bypass = bypassKind;
        if (bypassKind == FireBypass.Identity && InputChannels != OutputChannels)
            throw new ArgumentException($"{name}: an identity bypass needs equal channels, not {InputChannels} → {OutputChannels}");
        squeeze = nn.Conv2d(inputChannels, squeezeChannels, 1);
        expand1x1 = nn.Conv2d(squeezeChannels, expandChannels, 1);
        expand3x3 = nn.Conv2d(squeezeChannels, expandChannels, 3, padding: 1);
        if (bypassKind == FireBypass.Projection) bypass = nn.Conv2d(inputChannels, OutputChannels, 1);
        RegisterComponents();
    }

    public int InputChannels { get; }
    public int OutputChannels { get; }
    public FireBypass Bypass { get; }

    /// <summary>Every convolution of the module, for the network's initialisation.</summary>
    public IEnumerable<Conv2d> Convolutions => bypass == null ? [squeeze, expand1x1, expand3x3] : [squeeze, expand1x1, expand3x3, bypass];

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var s = nn.functional.relu(squeeze.forward(x));
        var y = cat([nn.functional.relu(expand1x1.forward(s)), nn.functional.relu(expand3x3.forward(s))], 1);
        y = Bypass switch
        {
            FireBypass.Identity => y + x,
            FireBypass.Projection => y + bypass!.forward(x),
            _ => y,
        };
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Writes this module into <paramref name="g"/> under the dotted prefix <paramref name="name"/>.</summary>
    public int Export(GraphBuilder g, string name, int x)
    {
        int s = g.Relu(g.Conv($"{name}.squeeze", x, squeeze));
        int e1 = g.Relu(g.Conv($"{name}.expand1x1", s, expand1x1));
        int e3 = g.Relu(g.Conv($"{name}.expand3x3", s, expand3x3, padding: 1));
        int y = g.Concat(e1, e3);
        return Bypass switch
        {
            FireBypass.Identity => g.Sum(y, x),
            FireBypass.Projection => g.Sum(y, g.Conv($"{name}.bypass", x, bypass!)),
            _ => y,
        };
    }
}
