using System.Text.Json;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Models;

namespace Pocket.Training.Compression;

/// <summary>
/// Rebuilds a checkpoint from a .pocket file: the zoo model named in the metadata — or, for any other model (one
/// imported from ONNX), the file's own graph — with every weight decoded to float32 exactly as the file stores it.
/// This is what `pocket eval` measures, so the accuracy reported for a .pocket file is that of the bytes on disk.
/// </summary>
public static class PocketDecoder
{
    public static Checkpoint ToCheckpoint(PocketModel model, string source)
    {
        string? modelName = model.Metadata.GetValueOrDefault(ModelMetadata.Model);
        if (modelName is null || !ModelZoo.Contains(modelName)) return GraphCheckpoint(model, modelName, source);
        var checkpoint = ZooCheckpoint(model, source);
        using (var module = ModuleState.Build(checkpoint, source))
        {
            foreach (var (name, current) in module.state_dict())
            {
                if (model.Tensors.TryGetValue(name, out var stored))
                    checkpoint.State[name] = CheckpointTensor.FromFloats(stored.ToDense(), stored.Shape.Select(d => (long)d).ToArray());
                else if (current.dtype == TorchSharp.torch.ScalarType.Float32)
                    throw new CheckpointException($"{source}: no tensor '{name}' for {checkpoint.Model}");
                else
                    checkpoint.State[name] = ModuleState.ToCheckpointTensor(current); // counters the file does not need
            }
        }
        return checkpoint;
    }

    private static Checkpoint ZooCheckpoint(PocketModel model, string source)
    {
        string Meta(string key) => model.Metadata.TryGetValue(key, out var v) ? v
            : throw new CheckpointException($"{source}: metadata has no '{key}' (not written by pocket encode?)");
        InputShape input;
        try { input = InputShape.Parse(Meta("input")); }
        catch (ArgumentException e) { throw new CheckpointException($"{source}: metadata 'input': {e.Message}"); }
        return new Checkpoint
        {
            Model = new ModelSpec(Meta("model"), Options(Meta("model.options"), source)),
            Input = input,
            Classes = int.TryParse(Meta("classes"), out int k) ? k : throw new CheckpointException($"{source}: metadata 'classes' is not a number"),
            Dataset = Meta("dataset"),
            Metadata = model.Metadata.ToDictionary(),
        };
    }

    /// <summary>
    /// A model outside the zoo is its graph: input and classes are the graph's; the dataset is whatever the file names,
    /// if any. The file must load in Pocket.Runtime first: its checks bound what a compressed tensor may expand to, so a
    /// tiny file cannot make the decoder allocate a huge layer.
    /// </summary>
    private static Checkpoint GraphCheckpoint(PocketModel model, string? name, string source)
    {
        Runtime.PocketNetwork network;
        try { network = Runtime.PocketNetwork.Load(model); }
        catch (Runtime.PocketRuntimeException e) { throw new CheckpointException($"{source}: {e.Message}"); }
        Runtime.TensorShape input = network.InputShape;
        string? options = model.Metadata.GetValueOrDefault("model.options");
        var checkpoint = new Checkpoint
        {
            Model = new ModelSpec(name ?? GraphModule.ImportedModelName, options is null ? new Dictionary<string, string>() : Options(options, source)),
            Input = new InputShape(input.Channels, input.Height, input.Width),
            Classes = network.OutputLength,
            Dataset = model.Metadata.GetValueOrDefault(ModelMetadata.Dataset) ?? "",
            Metadata = model.Metadata.ToDictionary(),
            Graph = model.Graph,
        };
        IReadOnlyList<(string Name, long[] Shape)> tensors;
        try { tensors = GraphModule.TensorShapes(model.Graph); }
        catch (ArgumentException e) { throw new CheckpointException($"{source}: {e.Message}"); }
        foreach (var (tensorName, shape) in tensors)
        {
            if (!model.Tensors.TryGetValue(tensorName, out PocketTensor? stored))
                throw new CheckpointException($"{source}: no tensor '{tensorName}' for {checkpoint.Model}");
            if (!stored.Shape.Select(d => (long)d).SequenceEqual(shape))
                throw new CheckpointException($"{source}: tensor '{tensorName}' has shape [{string.Join(',', stored.Shape)}], the graph reads [{string.Join(',', shape)}]");
            checkpoint.State[tensorName] = CheckpointTensor.FromFloats(stored.ToDense(), shape);
        }
        return checkpoint;
    }

    private static Dictionary<string, string> Options(string json, string source)
    {
        try { return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new(); }
        catch (JsonException e) { throw new CheckpointException($"{source}: metadata 'model.options' is not a JSON object of strings ({e.Message.Split('\n')[0]})"); }
    }

    /// <summary>Loads either kind of file: a .pocket file (by its magic) or a .ckpt checkpoint.</summary>
    public static Checkpoint LoadAny(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: file not found");
        if (IsPocketFile(path)) return ToCheckpoint(PocketFile.Read(path), path);
        return Checkpoint.Load(path);
    }

    public static bool IsPocketFile(string path)
    {
        Span<byte> head = stackalloc byte[8];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(PocketFileLayout.Magic);
    }
}
