using Pocket.Training.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// Fine-tuning with fixed binary filters (SEP-Nets' procedure): each binarized weight keeps the α·B it was given.
/// Its gradient is zeroed before the step and the binarized values are copied back after it, because momentum and
/// weight decay would otherwise still move a weight whose gradient is zero.
/// </summary>
public sealed class FrozenBinaryConstraint : IWeightConstraint, IDisposable
{
    private sealed record Layer(string Name, Parameter Weight, Tensor Binarized, float[] Scales);

    private readonly List<Layer> _layers = [];

    /// <summary>Binarizes <paramref name="weight"/>'s current values (α = mean |W| per filter) and keeps them.</summary>
    public void Add(string name, Parameter weight)
    {
        using var scales = FilterBinarization.Scales(weight);
        _layers.Add(new Layer(name, weight, FilterBinarization.Binarize(weight, scales), scales.data<float>().ToArray()));
    }

    public void BeforeStep()
    {
        foreach (var layer in _layers) layer.Weight.grad?.zero_();
    }

    public void AfterStep()
    {
        using var _ = no_grad();
        foreach (var layer in _layers) layer.Weight.copy_(layer.Binarized);
    }

    /// <summary>The per-filter α of a layer (fixed for the whole run).</summary>
    public float[] Scales(string name) => _layers.First(l => l.Name == name).Scales;

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Binarized.Dispose();
    }
}
