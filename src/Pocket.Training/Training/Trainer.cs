using System.Diagnostics;
using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// Mini-batch training with cross-entropy. Deterministic for a given seed: the shuffle comes from
/// <see cref="Random"/> seeded per epoch, and torch's generator is seeded before the first step.
/// Weight constraints (pruning masks, shared centroids) are applied around every optimizer step. With
/// <see cref="TrainingOptions.Distill"/> set, the loss also pulls toward a teacher's <see cref="SoftTargets"/>.
/// </summary>
public static class Trainer
{
    public static void Train(
        PocketModule model, ImageDataset train, TrainingOptions options,
        IReadOnlyList<IWeightConstraint>? constraints = null, ImageDataset? test = null,
        Action<TrainingProgress>? progress = null, CancellationToken cancel = default, EpochCheckpointing? checkpointing = null,
        SoftTargets? teacher = null)
    {
        constraints ??= [];
        if (options.Distill is not null && (teacher is null || teacher.Count != train.Count))
            throw new ArgumentException($"{options.Distill} needs the teacher's soft targets for all {train.Count} training images");
        TorchBackend.Ensure();
        torch.manual_seed(options.Seed);
        var parameters = model.parameters().ToList();
        using ITrainingOptimizer optimizer = options.Optimizer switch
        {
            OptimizerKind.Adam => new TorchOptimizer(optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay)),
            _ => new MomentumSgd(parameters, options.LearningRate, options.Momentum, options.WeightDecay),
        };
        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var clock = Stopwatch.StartNew();
        var order = Enumerable.Range(0, train.Count).ToArray();
        foreach (var c in constraints) c.AfterStep(); // start from a state that satisfies every constraint
        int firstEpoch = 1;
        if (checkpointing is { CompletedEpochs: > 0, OptimizerState: { } state })
        {
            using var reader = new BinaryReader(new MemoryStream(state));
            optimizer.LoadState(reader);
            // libtorch's generator as it was after the saved epoch (dropout draws from it), so the resumed epochs draw the same numbers.
            int rngBytes = reader.ReadInt32();
            using var rng = torch.tensor(reader.ReadBytes(rngBytes), ScalarType.Byte);
            torch.set_rng_state(rng);
            firstEpoch = checkpointing.CompletedEpochs + 1;
        }

        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            optimizer.LearningRate = LearningRateAt(options, epoch);
            // The order of epoch e depends on the seed and e alone (not on earlier epochs), so a resumed run sees the same batches.
            for (int i = 0; i < order.Length; i++) order[i] = i;
            new Random(options.Seed * 7919 + epoch).Shuffle(order);
            var shift = options.Shift > 0 ? new RandomShift(options.Shift, options.Seed, epoch) : null;
            model.train();
            double lossSum = 0;
            for (int b = 0; b < batches; b++)
            {
                cancel.ThrowIfCancellationRequested();
                int start = b * options.BatchSize, n = Math.Min(options.BatchSize, train.Count - start);
                using var scope = NewDisposeScope();
                var indices = order.AsSpan(start, n);
                var x = shift is null ? Batches.Images(train, indices, model.InputShape) : Batches.Images(train, indices, model.InputShape, shift);
                var y = Batches.Labels(train, indices);
                optimizer.ZeroGrad();
                var logits = model.forward(x);
                var loss = options.Distill is null ? nn.functional.cross_entropy(logits, y) : teacher!.Loss(logits, y, indices);
                loss.backward();
                foreach (var c in constraints) c.BeforeStep();
                optimizer.Step();
                foreach (var c in constraints) c.AfterStep();
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException($"loss became {value} at epoch {epoch}, batch {b + 1}; lower the learning rate");
                lossSum += value;
                if (progress != null && (b % 20 == 0 || b == batches - 1))
                    progress(new TrainingProgress(epoch, options.Epochs, b + 1, batches, lossSum / (b + 1), null, clock.Elapsed, false));
            }
            double? accuracy = options.EvaluateEachEpoch && test != null ? Evaluator.Evaluate(model, test, model.InputShape).Accuracy : null;
            progress?.Invoke(new TrainingProgress(epoch, options.Epochs, batches, batches, lossSum / batches, accuracy, clock.Elapsed, true));
            if (checkpointing is not null)
            {
                using var buffer = new MemoryStream();
                using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    optimizer.SaveState(writer);
                    using var rng = torch.get_rng_state();
                    byte[] rngState = rng.data<byte>().ToArray();
                    writer.Write(rngState.Length);
                    writer.Write(rngState);
                }
                checkpointing.Save(epoch, buffer.ToArray());
            }
        }
        model.eval();
    }

    public static double LearningRateAt(TrainingOptions options, int epoch) => options.Schedule switch
    {
        // Cosine annealing over the run, evaluated at the start of each epoch.
        LearningRateSchedule.Cosine => options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / Math.Max(1, options.Epochs))),
        // ÷10 at 50 % and 75 % of the run.
        LearningRateSchedule.Step => options.LearningRate * (epoch > options.Epochs * 3 / 4 ? 0.01 : epoch > options.Epochs / 2 ? 0.1 : 1),
        _ => options.LearningRate,
    };

}
