using SkiaSharp;

namespace Pocket.Training.Data;

/// <summary>
/// Decodes one PNG or JPEG file with SkiaSharp into channel planes of pixels in [0, 1] (white = 1): RGB, or gray by
/// ITU-R BT.601 weights (Pocket.Runtime.Input.GrayImageInput), transparent pixels composited over white so a
/// transparent PNG reads as paper. The size is read from the file's header before anything is decoded, so a file
/// declaring a huge image is refused without allocating it.
/// </summary>
public static class ImageFile
{
    /// <summary>Largest image decoded, in pixels: far above any photo a model is fed (a 48-megapixel camera's 8064×6048 fits).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>A decoded image: <see cref="Channels"/> planes of <see cref="Height"/>×<see cref="Width"/> values in [0, 1].</summary>
    public sealed record Image(float[] Pixels, int Channels, int Height, int Width);

    /// <param name="channels">1 for gray, 3 for RGB.</param>
    public static Image Decode(string path, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB)");
        using FileStream stream = File.OpenRead(path);
        using SKCodec? codec = SKCodec.Create(stream, out SKCodecResult opened);
        if (codec is null) throw new ImageFolderException($"{path}: not an image SkiaSharp can decode (PNG or JPEG expected; {opened})");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw new ImageFolderException($"{path}: {width}×{height} image, more than the {MaxPixels:N0}-pixel limit or empty");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
            throw new ImageFolderException($"{path}: cannot be decoded ({decoded})");
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        int plane = width * height;
        var pixels = new float[channels * plane];
        for (int i = 0; i < plane; i++)
        {
            float alpha = rgba[4 * i + 3] / 255f;
            // Over white: c·α + 255·(1 − α), in 0–255.
            float r = rgba[4 * i] * alpha + 255 * (1 - alpha), g = rgba[4 * i + 1] * alpha + 255 * (1 - alpha), b = rgba[4 * i + 2] * alpha + 255 * (1 - alpha);
            if (channels == 1)
                pixels[i] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
            else
            {
                pixels[i] = r / 255f;
                pixels[plane + i] = g / 255f;
                pixels[2 * plane + i] = b / 255f;
            }
        }
        return new Image(pixels, channels, height, width);
    }
}
