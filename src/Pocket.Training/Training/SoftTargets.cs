using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// A teacher's logits for every image of a training set, computed once in inference mode (the training images are
/// fed without augmentation, so the teacher's answer for an image never changes), and the distillation loss of a
/// batch against them. For 60,000 images and 10 classes that is 2.4 MB, against a teacher forward pass per batch.
/// </summary>
public sealed class SoftTargets : IDisposable
{
    private readonly Tensor _probabilities; // softmax(teacher logits / T), [images, classes]
    // Scalars handed to libtorch live as long as this object: a temporary one can be finalized mid-call under GC
    // pressure (see MomentumSgd), which showed here as "Unknown scalar type" an epoch or two into a retraining.
    private readonly Scalar _temperature, _labelWeight, _softWeight, _floor;

    private SoftTargets(Tensor probabilities, Distillation distillation)
    {
        _probabilities = probabilities;
        _temperature = distillation.Temperature.ToScalar();
        _labelWeight = (1 - distillation.Weight).ToScalar();
        _softWeight = (distillation.Weight * distillation.Temperature * distillation.Temperature).ToScalar();
        _floor = 1e-12.ToScalar();
    }

    public int Count => (int)_probabilities.shape[0];

    /// <summary>The soft targets of <paramref name="teacher"/> when <paramref name="options"/> distills, else null.</summary>
    public static SoftTargets? For(Checkpoint teacher, ImageDataset train, TrainingOptions options)
    {
        if (options.Distill is not { } distillation) return null;
        using var model = ModuleState.Restore(teacher);
        return Compute(model, train, distillation);
    }

    public static SoftTargets Compute(PocketModule teacher, ImageDataset train, Distillation distillation, int batchSize = 1000)
    {
        TorchBackend.Ensure();
        teacher.eval();
        using var _ = no_grad();
        using var temperature = distillation.Temperature.ToScalar();
        var parts = new List<Tensor>();
        for (int start = 0; start < train.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, train.Count - start);
            using var scope = NewDisposeScope();
            var x = Batches.Images(train, start, n, teacher.InputShape);
            parts.Add(nn.functional.softmax(teacher.forward(x).div(temperature), 1).MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return new SoftTargets(all, distillation);
    }

    /// <summary>The distillation loss of <paramref name="logits"/> for the training images <paramref name="indices"/>.</summary>
    public Tensor Loss(Tensor logits, Tensor labels, ReadOnlySpan<int> indices)
    {
        var rows = new long[indices.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = indices[i];
        using var index = tensor(rows);
        var target = _probabilities.index_select(0, index);
        var hard = nn.functional.cross_entropy(logits, labels);
        // KL(p ‖ q) summed over classes, averaged over the batch; the teacher's entropy term is a constant and is kept
        // so the loss reads as a divergence (0 when the student matches).
        var logStudent = nn.functional.log_softmax(logits.div(_temperature), 1);
        var kl = target.mul(target.clamp_min(_floor).log().sub(logStudent)).sum(1).mean();
        return hard.mul(_labelWeight).add(kl.mul(_softWeight));
    }

    public void Dispose()
    {
        _probabilities.Dispose();
        foreach (var s in new[] { _temperature, _labelWeight, _softWeight, _floor }) s.Dispose();
    }
}
