namespace Pocket.Runtime.Input;

/// <summary>
/// How a picture becomes a gray model input, the one rule `pocket predict` and the web page share: ITU-R BT.601
/// weights scaled to [0, 1], and, for models trained on MNIST-style light-on-black images, a picture with a light
/// background (the mean of its border pixels above one half) is inverted.
/// </summary>
public static class GrayImageInput
{
    /// <summary>Border mean above which a picture counts as dark-on-light.</summary>
    public const double LightBackgroundAbove = 0.5;

    /// <summary>The gray level of an 8-bit RGB pixel, in [0, 1].</summary>
    public static float Gray(byte red, byte green, byte blue) => (0.299f * red + 0.587f * green + 0.114f * blue) / 255f;

    /// <summary>Mean gray level of the outermost pixels: the background, for a centred subject.</summary>
    public static double BorderMean(ReadOnlySpan<float> gray, int width, int height)
    {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (y == 0 || x == 0 || y == height - 1 || x == width - 1)
                {
                    sum += gray[y * width + x];
                    count++;
                }
        return count == 0 ? 0 : sum / count;
    }

    /// <summary>Turns light-on-dark into dark-on-light and back, in place.</summary>
    public static void Invert(Span<float> gray)
    {
        for (int i = 0; i < gray.Length; i++) gray[i] = 1f - gray[i];
    }
}
