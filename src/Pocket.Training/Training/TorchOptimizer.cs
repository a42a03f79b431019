using TorchSharp;

namespace Pocket.Training.Training;

/// <summary>A TorchSharp optimizer (Adam) behind <see cref="ITrainingOptimizer"/>.</summary>
public sealed class TorchOptimizer(torch.optim.Optimizer optimizer) : ITrainingOptimizer
{
    public double LearningRate
    {
        set { foreach (var group in optimizer.ParamGroups) group.LearningRate = value; }
    }

    public void ZeroGrad() => optimizer.zero_grad();

    public void Step() => optimizer.step();

    public void SaveState(BinaryWriter writer) => ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);

    public void LoadState(BinaryReader reader) => ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);

    public void Dispose() => optimizer.Dispose();
}
