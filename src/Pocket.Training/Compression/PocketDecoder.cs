using System.Text.Json;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Models;

namespace Pocket.Training.Compression;

/// <summary>
/// Rebuilds a checkpoint from a .pocket file: the model named in the metadata, with every weight decoded to
/// float32 exactly as the file stores it. This is what `pocket eval` measures, so the accuracy reported for a
/// .pocket file is that of the bytes on disk.
/// </summary>
public static class PocketDecoder
{
    public static Checkpoint ToCheckpoint(PocketModel model, string source)
    {
        string Meta(string key) => model.Metadata.TryGetValue(key, out var v) ? v
            : throw new CheckpointException($"{source}: metadata has no '{key}' (not written by pocket encode?)");
        var options = JsonSerializer.Deserialize<Dictionary<string, string>>(Meta("model.options")) ?? new();
        InputShape input;
        try { input = InputShape.Parse(Meta("input")); }
        catch (ArgumentException e) { throw new CheckpointException($"{source}: metadata 'input': {e.Message}"); }
        var checkpoint = new Checkpoint
        {
            Model = new ModelSpec(Meta("model"), options),
            Input = input,
            Classes = int.TryParse(Meta("classes"), out int k) ? k : throw new CheckpointException($"{source}: metadata 'classes' is not a number"),
            Dataset = Meta("dataset"),
            Metadata = model.Metadata.ToDictionary(),
        };
        PocketModule module;
        try { module = ModelZoo.Create(checkpoint.Model, checkpoint.Input, checkpoint.Classes); }
        catch (ArgumentException e) { throw new CheckpointException($"{source}: {e.Message}"); }
        using (module)
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
