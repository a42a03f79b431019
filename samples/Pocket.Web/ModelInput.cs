namespace Pocket.Web;

/// <summary>
/// Turns RGBA pixels (already at the input's height × width, composited over white for pictures) into a model input,
/// the way `pocket predict` prepares a picture (src/Pocket.Cli/Commands/PredictCommand.cs, PredictionImage): gray by
/// ITU-R BT.601 weights, scaled to [0, 1]; for an MNIST-style model a light background (border mean above one half)
/// is inverted to white-on-black; the gray image goes into every channel.
/// </summary>
public static class ModelInput
{
    public sealed record Prepared(float[] Values, bool Inverted);

    public static Prepared FromRgba(ReadOnlySpan<byte> rgba, ImageGeometry image, bool mnistStyle)
    {
        int plane = image.Height * image.Width;
        if (rgba.Length != plane * 4)
            throw new ArgumentException($"expected {plane * 4} RGBA bytes for {image.Height}x{image.Width}, got {rgba.Length}", nameof(rgba));
        var gray = new float[plane];
        for (int i = 0; i < plane; i++)
            gray[i] = (0.299f * rgba[4 * i] + 0.587f * rgba[4 * i + 1] + 0.114f * rgba[4 * i + 2]) / 255f;

        bool inverted = mnistStyle && BorderMean(gray, image.Width, image.Height) > 0.5;
        if (inverted) for (int i = 0; i < plane; i++) gray[i] = 1f - gray[i];

        var values = new float[image.Channels * plane];
        for (int c = 0; c < image.Channels; c++) gray.CopyTo(values.AsSpan(c * plane));
        return new Prepared(values, inverted);
    }

    /// <summary>Mean gray level of the outermost pixels: the background, for a centred subject.</summary>
    private static double BorderMean(float[] gray, int width, int height)
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
}
