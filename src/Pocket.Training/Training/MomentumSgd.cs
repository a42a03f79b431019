using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// SGD with momentum and L2 weight decay (PyTorch's update: g ← ∇ + λw; v ← μv + g; w ← w − ηv), written here
/// rather than taken from TorchSharp so that every scalar handed to libtorch is a field that lives as long as the
/// optimizer. TorchSharp's own SGD passes temporary Scalar objects to native calls; under garbage-collection
/// pressure one was seen freed mid-call in long runs ("Expected false to be true … toFloat" from add_).
/// </summary>
public sealed class MomentumSgd : ITrainingOptimizer
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor?[] _velocity;
    private readonly double _momentum, _weightDecay;
    private readonly Scalar _momentumScalar, _weightDecayScalar, _one;
    private Scalar _negativeLearningRate;

    public MomentumSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay)
    {
        _parameters = parameters.ToList();
        _velocity = new Tensor?[_parameters.Count];
        _momentum = momentum;
        _weightDecay = weightDecay;
        _momentumScalar = momentum.ToScalar();
        _weightDecayScalar = weightDecay.ToScalar();
        _one = 1.0.ToScalar();
        _negativeLearningRate = (-learningRate).ToScalar();
    }

    public double LearningRate
    {
        set
        {
            var old = _negativeLearningRate;
            _negativeLearningRate = (-value).ToScalar();
            old.Dispose();
        }
    }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    public void Step()
    {
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            // The gradient wrapper is the parameter's own (not a new reference): never dispose it here.
            var grad = p.grad;
            if (grad is null) continue;
            using var decayed = _weightDecay != 0 ? grad.add(p, _weightDecayScalar) : null;
            var g = decayed ?? grad;
            if (_momentum != 0)
            {
                // The velocity outlives the trainer's per-batch dispose scope.
                if (_velocity[i] is null) _velocity[i] = g.detach().clone().DetachFromDisposeScope();
                else _velocity[i]!.mul_(_momentumScalar).add_(g, _one);
                p.add_(_velocity[i]!, _negativeLearningRate);
            }
            else
            {
                p.add_(g, _negativeLearningRate);
            }
        }
    }

    /// <summary>Writes, per parameter, whether it has a velocity and its values.</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_parameters.Count);
        foreach (var v in _velocity)
        {
            writer.Write(v is not null);
            if (v is null) continue;
            var values = v.data<float>().ToArray();
            writer.Write(values.Length);
            foreach (float f in values) writer.Write(f);
        }
    }

    public void LoadState(BinaryReader reader)
    {
        if (reader.ReadInt32() != _parameters.Count) throw new InvalidDataException("optimizer state is for another model");
        for (int i = 0; i < _parameters.Count; i++)
        {
            _velocity[i]?.Dispose();
            _velocity[i] = null;
            if (!reader.ReadBoolean()) continue;
            int n = reader.ReadInt32();
            if (n != _parameters[i].numel()) throw new InvalidDataException("optimizer state is for another model");
            var values = new float[n];
            for (int k = 0; k < n; k++) values[k] = reader.ReadSingle();
            _velocity[i] = tensor(values, _parameters[i].shape);
        }
    }

    public void Dispose()
    {
        foreach (var v in _velocity) v?.Dispose();
        _momentumScalar.Dispose();
        _weightDecayScalar.Dispose();
        _one.Dispose();
        _negativeLearningRate.Dispose();
    }
}
