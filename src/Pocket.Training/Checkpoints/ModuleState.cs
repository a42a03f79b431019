using Pocket.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Checkpoints;

/// <summary>Moves weights between a TorchSharp module and a <see cref="Checkpoint"/>.</summary>
public static class ModuleState
{
    /// <summary>A checkpoint of the module's current weights (no masks or codebooks; callers add those).</summary>
    public static Checkpoint Capture(PocketModule model, string dataset, IDictionary<string, string>? metadata = null)
    {
        var checkpoint = new Checkpoint
        {
            Model = model.Spec, Input = model.InputShape, Classes = model.Classes, Dataset = dataset,
            Metadata = metadata is null ? new() : new Dictionary<string, string>(metadata),
            Graph = model is GraphModule graph ? graph.ExportGraph() : null,
        };
        foreach (var (name, tensor) in model.state_dict())
            checkpoint.State[name] = ToCheckpointTensor(tensor);
        return checkpoint;
    }

    /// <summary>Builds the checkpoint's network and loads its weights.</summary>
    public static PocketModule Restore(Checkpoint checkpoint, string source = "checkpoint")
    {
        PocketModule model = Build(checkpoint, source);
        try { Load(model, checkpoint, source); }
        catch { model.Dispose(); throw; }
        return model;
    }

    /// <summary>
    /// The network a checkpoint describes, with fresh weights: its own graph (<see cref="GraphModule"/>) when it carries
    /// one — a model trained elsewhere and imported — else the zoo model it names. Every command that rebuilds a model
    /// from a checkpoint or a .pocket file comes through here.
    /// </summary>
    public static PocketModule Build(Checkpoint checkpoint, string source = "checkpoint")
    {
        try
        {
            if (checkpoint.Graph is not { } graph) return ModelZoo.Create(checkpoint.Model, checkpoint.Input, checkpoint.Classes);
            // A graph's sizes come from the file: its tensors must be there, at those sizes, before the module allocates them.
            foreach (var (name, shape) in GraphModule.TensorShapes(graph))
            {
                if (!checkpoint.State.TryGetValue(name, out var stored))
                    throw new CheckpointException($"{source}: no tensor '{name}' for {checkpoint.Model}");
                if (!stored.Shape.SequenceEqual(shape))
                    throw new CheckpointException($"{source}: tensor '{name}' has shape [{string.Join(',', stored.Shape)}], the graph reads [{string.Join(',', shape)}]");
            }
            return new GraphModule(graph, checkpoint.Model);
        }
        catch (ArgumentException e) { throw new CheckpointException($"{source}: {e.Message}"); }
    }

    public static void Load(PocketModule model, Checkpoint checkpoint, string source = "checkpoint")
    {
        using var _ = no_grad();
        var state = model.state_dict();
        foreach (var (name, target) in state)
        {
            if (!checkpoint.State.TryGetValue(name, out var stored))
                throw new CheckpointException($"{source}: no tensor '{name}' for {checkpoint.Model}");
            if (!stored.Shape.SequenceEqual(target.shape))
                throw new CheckpointException($"{source}: tensor '{name}' has shape [{string.Join(',', stored.Shape)}], the model needs [{string.Join(',', target.shape)}]");
            using var source_ = FromCheckpointTensor(stored);
            target.copy_(source_);
        }
        foreach (var name in checkpoint.State.Keys)
            if (!state.ContainsKey(name)) throw new CheckpointException($"{source}: tensor '{name}' is not part of {checkpoint.Model}");
    }

    public static CheckpointTensor ToCheckpointTensor(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        return cpu.dtype switch
        {
            ScalarType.Float32 => CheckpointTensor.FromFloats(cpu.data<float>().ToArray(), cpu.shape),
            ScalarType.Int64 => CheckpointTensor.FromLongs(cpu.data<long>().ToArray(), cpu.shape),
            _ => throw new CheckpointException($"unsupported tensor type {cpu.dtype}"),
        };
    }

    public static Tensor FromCheckpointTensor(CheckpointTensor t) => t.DType switch
    {
        "f32" => tensor(t.AsFloats(), t.Shape),
        "i64" => tensor(t.AsLongs(), t.Shape),
        "u8" => tensor(t.AsBytes(), t.Shape),
        _ => throw new CheckpointException($"cannot load a {t.DType} tensor into a module"),
    };
}
