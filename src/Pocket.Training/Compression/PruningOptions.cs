using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>What `pocket prune` does: the rule, the rounds of prune → retrain, and how to retrain.</summary>
public sealed record PruningOptions
{
    public required PruningRule Rule { get; init; }
    public int Rounds { get; init; } = 3;
    public PruningSchedule Schedule { get; init; } = PruningSchedule.Geometric;

    /// <summary>Retraining after each round; its learning rate defaults to a tenth of the model's recipe.</summary>
    public required TrainingOptions Retrain { get; init; }

    /// <summary>
    /// Prune, before the first round, the conv weights that only ever multiply padding (<see cref="DeadConvTaps"/>):
    /// lossless, and they count as pruned toward each layer's kept fraction.
    /// </summary>
    public bool RemoveDeadTaps { get; init; } = true;

    /// <summary>Train on the first N training images only (tests and quick looks).</summary>
    public int? TrainLimit { get; init; }
}
