namespace Pocket.Training.Training;

/// <summary>What the trainer needs of an optimizer: a step, a settable learning rate, and state to resume from.</summary>
public interface ITrainingOptimizer : IDisposable
{
    double LearningRate { set; }
    void ZeroGrad();
    void Step();
    void SaveState(BinaryWriter writer);
    void LoadState(BinaryReader reader);
}
