using Pocket.Training.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Holds some weights at exactly their current values while the rest of the network trains: their gradient is
/// zeroed before each step and their values are copied back after it (momentum and weight decay would otherwise
/// still move them).
/// </summary>
public sealed class FrozenWeightsConstraint : IWeightConstraint, IDisposable
{
    private readonly List<(Parameter Weight, Tensor Value)> _frozen = [];

    public void Add(Parameter weight) => _frozen.Add((weight, weight.detach().clone()));

    public void BeforeStep()
    {
        foreach (var (weight, _) in _frozen) weight.grad?.zero_();
    }

    public void AfterStep()
    {
        using var _ = no_grad();
        foreach (var (weight, value) in _frozen) weight.copy_(value);
    }

    public void Dispose()
    {
        foreach (var (_, value) in _frozen) value.Dispose();
    }
}
