namespace Pocket.Training.Training;

public enum OptimizerKind { Sgd, Adam }

public enum LearningRateSchedule { Constant, Cosine, Step }

/// <summary>How to train: optimizer, learning rate and its schedule, regularisation, batch size, epochs, seed.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 0.01;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 regularisation, applied by the optimizer as weight decay.</summary>
    public double WeightDecay { get; init; } = 5e-4;

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;
    public int Seed { get; init; } = 1;

    /// <summary>Move each training image by up to this many pixels along each axis, a fresh draw every epoch
    /// (<see cref="RandomShift"/>); 0 trains on the images as they are.</summary>
    public int Shift { get; init; }

    /// <summary>Learn from a teacher's soft targets as well as the labels (retraining only; the caller supplies the teacher).</summary>
    public Distillation? Distill { get; init; }

    /// <summary>Evaluate on the test set after each epoch (for progress reporting only).</summary>
    public bool EvaluateEachEpoch { get; init; } = true;
}
