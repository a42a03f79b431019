using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Models;

namespace Pocket.Training.Checkpoints;

/// <summary>
/// A checkpoint of a model trained elsewhere (a float <see cref="PocketModel"/> the ONNX importer made): its graph,
/// its tensors as the state, and the dataset it will be retrained and evaluated on, so every command that takes a
/// checkpoint rebuilds it as a <see cref="GraphModule"/>.
/// </summary>
public static class ImportedCheckpoint
{
    /// <param name="sourceName">The file it came from (the model's spec names it; error messages too).</param>
    /// <param name="dataset">The dataset the checkpoint names, "" for none (commands that need data then ask for one).</param>
    public static Checkpoint From(PocketModel model, string sourceName, string dataset)
    {
        TensorShape[] shapes;
        try { shapes = GraphShapes.Infer(model.Graph.Nodes); }
        catch (PocketRuntimeException e) { throw new CheckpointException($"{sourceName}: graph {e.Message}"); }
        var metadata = model.Metadata.ToDictionary();
        // The encoder writes these from the checkpoint itself; the importer's values (the ONNX graph's name) would only disagree.
        metadata.Remove(ModelMetadata.Model);
        metadata.Remove(ModelMetadata.Input);
        var checkpoint = new Checkpoint
        {
            Model = new ModelSpec(GraphModule.ImportedModelName, new Dictionary<string, string> { ["from"] = sourceName }),
            Input = new InputShape(shapes[0].Channels, shapes[0].Height, shapes[0].Width),
            Classes = shapes[^1].Length,
            Dataset = dataset,
            Metadata = metadata,
            Graph = model.Graph,
        };
        foreach (var (name, tensor) in model.Tensors)
            checkpoint.State[name] = CheckpointTensor.FromFloats(tensor.ToDense(), tensor.Shape.Select(d => (long)d).ToArray());
        // Built once here, so a graph whose tensors disagree with its nodes is refused before anything is written.
        using var _ = ModuleState.Restore(checkpoint, sourceName);
        return checkpoint;
    }
}
