using Pocket.Training.Data;
using Pocket.Training.Models;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// Turns dataset images into input tensors of the model's shape. Models whose input is larger than the images
/// (e.g. 32×32 for 28×28 MNIST) get the images zero-padded in the centre, the classic LeNet treatment, so
/// the same pixels reach every architecture.
/// </summary>
public static class Batches
{
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

    /// <summary>Writes one image into a model input, padding it in the centre (and repeating gray into every channel).</summary>
    public static void CopyImage(ImageDataset data, int index, InputShape input, Span<float> target)
    {
        var image = data.Image(index);
        if (input.Channels == data.Channels && input.Height == data.Height && input.Width == data.Width)
        {
            image.CopyTo(target);
            return;
        }
        if (input.Height < data.Height || input.Width < data.Width)
            throw new ArgumentException($"model input {input} is smaller than the {data.Height}×{data.Width} images");
        target.Clear();
        int top = (input.Height - data.Height) / 2, left = (input.Width - data.Width) / 2;
        for (int c = 0; c < input.Channels; c++)
        {
            int sourceChannel = data.Channels == 1 ? 0 : c;
            for (int y = 0; y < data.Height; y++)
                image.Slice((sourceChannel * data.Height + y) * data.Width, data.Width)
                    .CopyTo(target.Slice((c * input.Height + top + y) * input.Width + left, data.Width));
        }
    }

    public static Tensor Labels(ImageDataset data, ReadOnlySpan<int> indices)
    {
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = data.Labels[indices[i]];
        return tensor(labels);
    }
}
