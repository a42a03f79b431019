namespace Pocket.Training.Data;

/// <summary>
/// Labelled grayscale images held as managed arrays: pixels scaled to [0, 1], row-major, one image after
/// another. Kept free of TorchSharp so slicing and checking need no native code.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(string name, float[] pixels, byte[] labels, int channels, int height, int width, int classes)
    {
        if (pixels.Length != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{name}: {pixels.Length} pixels do not make {labels.Length} images of {channels}×{height}×{width}");
        Name = name; Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; Classes = classes;
    }

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
            Channels, Height, Width, Classes);
    }

    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);
}
