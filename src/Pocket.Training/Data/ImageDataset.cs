using Pocket.Runtime.Input;

namespace Pocket.Training.Data;

/// <summary>
/// Labelled images held as managed arrays: pixels scaled to [0, 1], channel planes (1 gray, or RGB) row-major, one
/// image after another, and the <see cref="Preprocessing"/> by which they become the input of the model they were
/// loaded for (<see cref="Training.Batches"/> applies it). Kept free of TorchSharp so slicing and checking need no native code.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(string name, float[] pixels, byte[] labels, int channels, int height, int width, int classes,
        Preprocessing? preprocessing = null, IReadOnlyList<string>? classNames = null)
    {
        if (pixels.Length != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{name}: {pixels.Length} pixels do not make {labels.Length} images of {channels}×{height}×{width}");
        Name = name; Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; Classes = classes;
        Preprocessing = preprocessing ?? Preprocessing.Default;
        ClassNames = classNames;
    }

    /// <summary>The model's preprocessing, applied when a batch is made (default: pixels as they are, centred in zeros).</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The class names in label order, when the dataset has them (an image folder's subfolders), else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The same images, fed to a model through <paramref name="preprocessing"/>.</summary>
    public ImageDataset WithPreprocessing(Preprocessing preprocessing) =>
        new(Name, Pixels, Labels, Channels, Height, Width, Classes, preprocessing, ClassNames);

    public string Name { get; }
    public float[] Pixels { get; }
    public byte[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int ImageSize => Channels * Height * Width;

    /// <summary>The first <paramref name="count"/> images (or all, if fewer).</summary>
    public ImageDataset Take(int count) => Slice(0, count);

    /// <summary>The images from <paramref name="start"/> on, at most <paramref name="count"/> of them.</summary>
    public ImageDataset Slice(int start, int count)
    {
        start = Math.Clamp(start, 0, Count);
        count = Math.Clamp(count, 0, Count - start);
        return new ImageDataset(Name, Pixels.AsSpan(start * ImageSize, count * ImageSize).ToArray(), Labels.AsSpan(start, count).ToArray(),
            Channels, Height, Width, Classes, Preprocessing, ClassNames);
    }

    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);
}
