using Pocket.Runtime.Input;

namespace Pocket.Web;

/// <summary>
/// Turns RGBA pixels (already at the input's height × width, composited over white for pictures) into a model input,
/// the way `pocket predict` prepares a picture (<see cref="GrayImageInput"/>: gray, and for an MNIST-style model a
/// light background inverted to white-on-black); the gray image goes into every channel.
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
            gray[i] = GrayImageInput.Gray(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);

        bool inverted = mnistStyle && GrayImageInput.BorderMean(gray, image.Width, image.Height) > GrayImageInput.LightBackgroundAbove;
        if (inverted) GrayImageInput.Invert(gray);

        var values = new float[image.Channels * plane];
        for (int c = 0; c < image.Channels; c++) gray.CopyTo(values.AsSpan(c * plane));
        return new Prepared(values, inverted);
    }
}
