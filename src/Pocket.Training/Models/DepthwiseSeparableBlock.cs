using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// MobileNet's depthwise separable convolution (Howard et al. 2017, Figure 3): a 3×3 depthwise convolution
/// (groups = channels) + BN + ReLU6 that filters each channel alone, then a 1×1 pointwise convolution + BN + ReLU6
/// that mixes channels. The convolutions have no bias because BatchNorm's shift follows. State_dict keys are
/// "{block}.depthwise.weight", "{block}.depthwise_bn.running_mean", "{block}.pointwise.weight", ….
/// </summary>
public sealed class DepthwiseSeparableBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d depthwise, pointwise;
    private readonly BatchNorm2d depthwise_bn, pointwise_bn;
    private readonly int stride;

    public DepthwiseSeparableBlock(string name, int inputChannels, int outputChannels, int stride) : base(name)
    {
        this.stride = stride;
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        depthwise = nn.Conv2d(inputChannels, inputChannels, 3, stride: stride, padding: 1, groups: inputChannels, bias: false);
        depthwise_bn = nn.BatchNorm2d(inputChannels, eps: MobileNetV1.BatchNormEpsilon);
        pointwise = nn.Conv2d(inputChannels, outputChannels, 1, bias: false);
        pointwise_bn = nn.BatchNorm2d(outputChannels, eps: MobileNetV1.BatchNormEpsilon);
        RegisterComponents();
    }

    public int InputChannels { get; }
    public int OutputChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = nn.functional.relu6(depthwise_bn.forward(depthwise.forward(x)));
        x = nn.functional.relu6(pointwise_bn.forward(pointwise.forward(x)));
        return x.MoveToOuterDisposeScope();
    }

    public int Export(GraphBuilder g, string name, int x)
    {
        x = g.Conv($"{name}.depthwise", x, depthwise, stride, padding: 1, groups: InputChannels);
        x = g.Relu6(g.BatchNorm($"{name}.depthwise_bn", x, InputChannels, MobileNetV1.BatchNormEpsilon));
        x = g.Conv($"{name}.pointwise", x, pointwise);
        return g.Relu6(g.BatchNorm($"{name}.pointwise_bn", x, OutputChannels, MobileNetV1.BatchNormEpsilon));
    }
}
