using Pocket.Runtime;
using Pocket.Runtime.Input;
using Pocket.Training.Data;
using Pocket.Training.Models;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// Turns dataset images into input tensors of the model's shape, through the model's preprocessing
/// (<see cref="Preprocessing"/>). By default models whose input is larger than the images (e.g. 32×32 for 28×28
/// MNIST) get the images zero-padded in the centre, the classic LeNet treatment, so the same pixels reach every architecture.
/// </summary>
public static class Batches
{
    /// <summary>Most input values an inference batch holds (64 MB of float32): 1000 MNIST images fit many times over,
    /// while a 3×224×224 model gets batches of 111 instead of a 600 MB input and gigabytes of activations.</summary>
    public const int MaxInferenceValues = 1 << 24;

    /// <summary>The inference batch size for <paramref name="input"/>: <paramref name="requested"/>, fewer for large inputs.</summary>
    public static int InferenceSize(InputShape input, int requested) => Math.Clamp(MaxInferenceValues / input.Size, 1, requested);

    public static Tensor Images(ImageDataset data, int start, int count, InputShape input)
    {
        var pixels = new float[count * input.Size];
        for (int i = 0; i < count; i++) CopyImage(data, start + i, input, pixels.AsSpan(i * input.Size, input.Size));
        return tensor(pixels, [count, input.Channels, input.Height, input.Width]);
    }

    public static Tensor Images(ImageDataset data, ReadOnlySpan<int> indices, InputShape input)
    {
        var pixels = new float[indices.Length * input.Size];
        for (int i = 0; i < indices.Length; i++) CopyImage(data, indices[i], input, pixels.AsSpan(i * input.Size, input.Size));
        return tensor(pixels, [indices.Length, input.Channels, input.Height, input.Width]);
    }

    /// <summary>A training batch with every image moved by the next of <paramref name="shift"/>'s draws before preprocessing.</summary>
    public static Tensor Images(ImageDataset data, ReadOnlySpan<int> indices, InputShape input, RandomShift shift)
    {
        var pixels = new float[indices.Length * input.Size];
        var moved = new float[data.ImageSize];
        for (int i = 0; i < indices.Length; i++)
        {
            var (dx, dy) = shift.Next();
            RandomShift.Apply(data.Image(indices[i]), data.Channels, data.Height, data.Width, dx, dy, moved);
            CopyImage(data, moved, input, pixels.AsSpan(i * input.Size, input.Size));
        }
        return tensor(pixels, [indices.Length, input.Channels, input.Height, input.Width]);
    }

    /// <summary>
    /// Writes one image into a model input through the dataset's <see cref="Preprocessing"/> (by default: centred in
    /// zeros, gray repeated into every channel, values as they are), the rule Pocket.Runtime's callers use too.
    /// </summary>
    public static void CopyImage(ImageDataset data, int index, InputShape input, Span<float> target) =>
        CopyImage(data, data.Image(index), input, target);

    private static void CopyImage(ImageDataset data, ReadOnlySpan<float> image, InputShape input, Span<float> target)
    {
        try
        {
            data.Preprocessing.Apply(image, data.Channels, data.Height, data.Width,
                new TensorShape(input.Channels, input.Height, input.Width), target);
        }
        catch (PreprocessingException e) { throw new ArgumentException($"{data.Name}: {e.Message}"); }
    }

    public static Tensor Labels(ImageDataset data, ReadOnlySpan<int> indices)
    {
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = data.Labels[indices[i]];
        return tensor(labels);
    }
}
