using Pocket.Training.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Compression.Binarization;

/// <summary>
/// Binary filters trained through a straight-through estimator (Courbariaux/Hubara et al.; XNOR-Net's scaled form).
/// The module's parameter holds α·sign(W_latent) for the forward and backward passes; a latent float copy is what
/// learns. Around each optimizer step the two swap: before it, the parameter is loaded with W_latent and its gradient
/// (taken w.r.t. the binarized weight) is passed through unchanged, except where |W_latent| &gt; 1, where the
/// estimator's hard-tanh window cuts it; the optimizer (momentum, weight decay) then updates W_latent in place.
/// After it, the updated values become the new latent weight and the parameter is binarized again with a fresh
/// α = mean |W_latent| per filter. So the weight the network sees is always exactly ±α per filter.
/// </summary>
public sealed class StraightThroughConstraint : IWeightConstraint, IDisposable
{
    /// <summary>
    /// Hubara et al.'s hard-tanh window: where |W_latent| &gt; 1 the gradient is cut, so a latent weight far from the sign
    /// change cannot keep growing. Trained conv weights here are ~0.1 in size, so it only guards against drift.
    /// </summary>
    public const float ClipMagnitude = 1f;

    private sealed class Layer(string name, Parameter weight, Tensor latent)
    {
        public string Name { get; } = name;
        public Parameter Weight { get; } = weight;
        public Tensor Latent { get; } = latent;
        public float[] Scales { get; set; } = [];
    }

    private readonly List<Layer> _layers = [];

    // True while the parameters hold W_latent (from construction until the first AfterStep, and during each step).
    private bool _parametersHoldLatent = true;

    /// <summary>Starts the latent weight from <paramref name="weight"/>'s current float values.</summary>
    public void Add(string name, Parameter weight) => _layers.Add(new Layer(name, weight, weight.detach().clone()));

    public void BeforeStep()
    {
        using var _ = no_grad();
        foreach (var layer in _layers)
        {
            if (layer.Weight.grad is { } grad)
            {
                using var inside = layer.Latent.abs().le(ClipMagnitude);
                grad.mul_(inside);
            }
            layer.Weight.copy_(layer.Latent);
        }
        _parametersHoldLatent = true;
    }

    public void AfterStep()
    {
        using var _ = no_grad();
        foreach (var layer in _layers)
        {
            if (_parametersHoldLatent) layer.Latent.copy_(layer.Weight);
            Binarize(layer);
        }
        _parametersHoldLatent = false;
    }

    /// <summary>The per-filter α of a layer as of the last step.</summary>
    public float[] Scales(string name) => _layers.First(l => l.Name == name).Scales;

    private static void Binarize(Layer layer)
    {
        using var _ = no_grad();
        using var scales = FilterBinarization.Scales(layer.Latent);
        using var binarized = FilterBinarization.Binarize(layer.Latent, scales);
        layer.Weight.copy_(binarized);
        layer.Scales = scales.data<float>().ToArray();
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Latent.Dispose();
    }
}
