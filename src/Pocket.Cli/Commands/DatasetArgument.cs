using Pocket.Runtime.Input;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;

namespace Pocket.Cli.Commands;

/// <summary>
/// The dataset a command runs a model on: <c>--dataset</c> when given, else the one its file names. A model imported
/// without <c>--dataset</c> names none, and then the command asks for one (exit 2) rather than guess. The images come
/// with the model's stored preprocessing, so every command feeds them the same way.
/// </summary>
public static class DatasetArgument
{
    /// <summary>The data for a checkpoint (or a .pocket file decoded to one): its dataset, input, classes and preprocessing.</summary>
    public static DatasetSplit Load(string? option, Checkpoint checkpoint, string file) =>
        Load(option, checkpoint.Dataset, file, checkpoint.Input, checkpoint.Classes, CheckpointPreprocessing.Of(checkpoint, file));

    /// <summary>The data for a .pocket file loaded into Pocket.Runtime: its dataset, input, outputs and stored preprocessing.</summary>
    public static DatasetSplit Load(string? option, Pocket.Runtime.PocketNetwork network, string file)
    {
        var shape = network.InputShape;
        return Load(option, network.Metadata.GetValueOrDefault(Pocket.Format.ModelMetadata.Dataset), file,
            new InputShape(shape.Channels, shape.Height, shape.Width), network.OutputLength, FilePreprocessing.Of(network, file));
    }

    /// <param name="file">The model's file, named in the messages.</param>
    public static DatasetSplit Load(string? option, string? named, string file, InputShape input, int outputs, Preprocessing preprocessing)
    {
        string? dataset = !string.IsNullOrEmpty(option) ? option : !string.IsNullOrEmpty(named) ? named : null;
        if (dataset is null) throw new UsageException($"--dataset: required, {file} names no dataset (it was imported without --dataset)");
        DatasetSplit data = DatasetCatalog.Load(dataset, input, preprocessing);
        if (DatasetFit.Problem(input, outputs, data) is { } problem) throw new InputException($"{file}: {problem}");
        return data;
    }
}
