using Pocket.Runtime.Input;
using Pocket.Training.Models;

namespace Pocket.Training.Data;

/// <summary>
/// Whether a model can be trained and evaluated on a dataset as <see cref="Training.Batches"/> feeds it: images no
/// larger than the input when its resize rule is pad (a larger input gets them zero-padded in the centre; bilinear
/// takes any size), gray or as many channels as the input, and one output per class.
/// </summary>
public static class DatasetFit
{
    /// <summary>Why the model does not fit the dataset, or null when it does.</summary>
    public static string? Problem(InputShape input, int outputs, DatasetSplit data)
    {
        ImageDataset images = data.Train;
        if (InputProblem(input, images, data.Name) is { } problem) return problem;
        if (outputs != images.Classes)
            return $"the model has {outputs} outputs, {data.Name} {images.Classes} classes";
        return null;
    }

    /// <summary>Why the images cannot be fed to the model, or null when they can (whatever its outputs are).</summary>
    public static string? InputProblem(InputShape input, ImageDataset images, string name)
    {
        if (images.Preprocessing.Resize == ResizeRule.Pad && (input.Height < images.Height || input.Width < images.Width))
            return $"the model's input {input} is smaller than {name}'s {images.Height}×{images.Width} images (its resize rule is pad; import it with --resize bilinear to resize them)";
        if (images.Channels != 1 && images.Channels != input.Channels)
            return $"the model's input has {input.Channels} channels, {name}'s images {images.Channels}";
        return null;
    }
}
