using Pocket.Training.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Keeps pruned weights at exactly zero while the network retrains. The gradient of a pruned weight is zeroed
/// before the optimizer step, and the mask is multiplied in again after it: with momentum, weight decay or
/// Adam, the optimizer's state can still move a weight whose gradient is zero (a momentum buffer or Adam's first
/// moment from before pruning), and only re-applying the mask makes the zero exact.
/// </summary>
public sealed class PruningMaskConstraint : IWeightConstraint, IDisposable
{
    private readonly List<(Parameter Weight, Tensor Mask)> _layers = [];

    public void Add(Parameter weight, Tensor mask) => _layers.Add((weight, mask.to_type(weight.dtype)));

    public void BeforeStep()
    {
        foreach (var (weight, mask) in _layers)
            weight.grad?.mul_(mask); // the parameter's own gradient: not ours to dispose
    }

    public void AfterStep()
    {
        using var _ = no_grad();
        foreach (var (weight, mask) in _layers) weight.mul_(mask);
    }

    public void Dispose()
    {
        foreach (var (_, mask) in _layers) mask.Dispose();
    }
}
