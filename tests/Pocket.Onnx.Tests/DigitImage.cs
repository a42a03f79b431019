using SkiaSharp;

namespace Pocket.Onnx.Tests;

/// <summary>Draws a digit-like blob the way a user's photo of a handwritten digit looks: dark strokes on paper.</summary>
internal static class DigitImage
{
    public static void WritePng(string path, int size = 120)
    {
        using var bitmap = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bitmap))
        using (var pen = new SKPaint { Color = new SKColor(20, 20, 30), StrokeWidth = size / 10f, Style = SKPaintStyle.Stroke, IsAntialias = true })
        {
            canvas.Clear(new SKColor(245, 240, 230));
            // A "7": a top bar and a slanted stem.
            canvas.DrawLine(size * 0.3f, size * 0.25f, size * 0.7f, size * 0.25f, pen);
            canvas.DrawLine(size * 0.7f, size * 0.25f, size * 0.45f, size * 0.8f, pen);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
