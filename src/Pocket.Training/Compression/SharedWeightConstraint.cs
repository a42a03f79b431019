using Pocket.Training.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Trained quantization's fine-tuning (Han et al. 2016, Section 3.3): weights that share a value move together.
/// Each centroid's gradient is the sum of its weights' gradients, ∂L/∂C_k = Σ_ij ∂L/∂W_ij · 1(I_ij = k); the
/// centroids take an SGD step with momentum, and the weights are rebuilt from the codebook, so every layer
/// always holds at most k distinct non-zero values and pruned weights stay zero. The optimizer's own update of
/// these weights is discarded (their gradient is zeroed, and the rebuild overwrites them); biases train as usual.
/// </summary>
public sealed class SharedWeightConstraint : IWeightConstraint, IDisposable
{
    private sealed record Layer(string Name, Parameter Weight, Tensor Codebook, Tensor Codes, Tensor Mask, Tensor Velocity);

    private readonly List<Layer> _layers = [];
    private readonly double _learningRate, _momentum;
    // Scalars handed to libtorch live as long as the constraint (see MomentumSgd for why).
    private readonly Scalar _momentumScalar, _one;
    private Scalar? _negativeRate;
    private double _negativeRateValue = double.NaN;

    public SharedWeightConstraint(double learningRate, double momentum = 0.9)
    {
        _learningRate = learningRate;
        _momentum = momentum;
        _momentumScalar = momentum.ToScalar();
        _one = 1.0.ToScalar();
    }

    /// <param name="codes">Per element, the index of its centroid (any value where the mask is 0).</param>
    public void Add(string name, Parameter weight, float[] codebook, long[] codes, Tensor mask)
    {
        var codebookTensor = tensor(codebook);
        _layers.Add(new Layer(name, weight, codebookTensor, tensor(codes).reshape(weight.shape), mask.to_type(weight.dtype),
            zeros_like(codebookTensor)));
    }

    /// <summary>
    /// Learning rate of the centroids for the coming steps; 0 (the default) means the constant rate given to the
    /// constructor. Nothing sets it today, so centroids step at that constant rate while the biases follow the
    /// trainer's schedule: wiring it to the schedule measured no clear gain on LeNet-300-100 (1.62 % against 1.70 %,
    /// one seed, bench/results/quantization.md) and would change every recorded compress figure, so it waits for a
    /// full re-run of the recipes.
    /// </summary>
    public double LearningRate { get; set; }

    public void BeforeStep()
    {
        using var _ = no_grad();
        foreach (var layer in _layers)
        {
            var grad = layer.Weight.grad; // the parameter's own gradient: not ours to dispose
            if (grad is null) continue;
            using var masked = grad.mul(layer.Mask).flatten();
            using var codes = layer.Codes.flatten();
            using var centroidGrad = zeros_like(layer.Codebook).index_add_(0, codes, masked, _one);
            layer.Velocity.mul_(_momentumScalar).add_(centroidGrad, _one);
            layer.Codebook.add_(layer.Velocity, NegativeRate());
            grad.zero_();
        }
    }

    public void AfterStep()
    {
        using var _ = no_grad();
        foreach (var layer in _layers)
        {
            using var rebuilt = layer.Codebook.index_select(0, layer.Codes.flatten()).reshape(layer.Weight.shape).mul_(layer.Mask);
            layer.Weight.copy_(rebuilt);
        }
    }

    private Scalar NegativeRate()
    {
        double rate = -(LearningRate > 0 ? LearningRate : _learningRate);
        if (_negativeRate is null || rate != _negativeRateValue)
        {
            _negativeRate?.Dispose();
            _negativeRate = rate.ToScalar();
            _negativeRateValue = rate;
        }
        return _negativeRate;
    }

    /// <summary>Replaces a layer's codebook (a finished run's, read back from its journal).</summary>
    public void SetCodebook(string name, float[] codebook)
    {
        var layer = _layers.First(l => l.Name == name);
        if (codebook.Length != layer.Codebook.numel()) throw new InvalidDataException($"codebook of {name} has {codebook.Length} centroids, expected {layer.Codebook.numel()}");
        using var stored = tensor(codebook);
        using var _ = no_grad();
        layer.Codebook.copy_(stored);
    }

    /// <summary>The current codebook of a layer.</summary>
    public float[] Codebook(string name) => _layers.First(l => l.Name == name).Codebook.data<float>().ToArray();

    /// <summary>Writes every layer's codebook and centroid velocity, so fine-tuning can resume exactly.</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_layers.Count);
        foreach (var layer in _layers)
        {
            writer.Write(layer.Name);
            foreach (var t in new[] { layer.Codebook, layer.Velocity })
            {
                var values = t.data<float>().ToArray();
                writer.Write(values.Length);
                foreach (float v in values) writer.Write(v);
            }
        }
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote (same layers, same cluster counts) and rebuilds the weights.</summary>
    public void LoadState(BinaryReader reader)
    {
        if (reader.ReadInt32() != _layers.Count) throw new InvalidDataException("centroid state is for other layers");
        foreach (var layer in _layers)
        {
            if (reader.ReadString() != layer.Name) throw new InvalidDataException($"centroid state is for other layers (expected {layer.Name})");
            foreach (var t in new[] { layer.Codebook, layer.Velocity })
            {
                int n = reader.ReadInt32();
                if (n != t.numel()) throw new InvalidDataException($"centroid state of {layer.Name} has {n} values, the codebook {t.numel()}");
                var values = new float[n];
                for (int i = 0; i < n; i++) values[i] = reader.ReadSingle();
                using var stored = tensor(values);
                using var _ = no_grad();
                t.copy_(stored);
            }
        }
        AfterStep();
    }

    public void Dispose()
    {
        foreach (var l in _layers) { l.Codebook.Dispose(); l.Codes.Dispose(); l.Mask.Dispose(); l.Velocity.Dispose(); }
        _momentumScalar.Dispose();
        _one.Dispose();
        _negativeRate?.Dispose();
    }
}
