namespace Pocket.Training.Training;

/// <summary>
/// A weight constraint that takes optimizer steps of its own (trained quantization's centroids): the trainer gives
/// it the learning rate of every epoch, from the same schedule as the optimizer's.
/// </summary>
public interface IScheduledWeightConstraint : IWeightConstraint
{
    /// <summary>Learning rate for the steps of the coming epoch.</summary>
    double LearningRate { set; }
}
