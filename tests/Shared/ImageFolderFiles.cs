using SkiaSharp;

namespace Pocket.Tests;

/// <summary>
/// Writes small PNG image folders (DIR/train/CLASS/*.png, DIR/test/CLASS/…) for the image-folder tests, with seeded
/// random colours, and remembers each file's RGB bytes so a test can check what was read against what was written.
/// Shared by the test projects that read image folders (linked in by their .csproj).
/// </summary>
internal sealed class ImageFolderFiles
{
    /// <summary>The RGB bytes written to each file, by path: [y, x] → (r, g, b).</summary>
    public Dictionary<string, (byte R, byte G, byte B)[,]> Written { get; } = new();

    public string Root { get; }

    public ImageFolderFiles(string root) => Root = root;

    /// <summary>Writes <paramref name="perClass"/> images of each class into <paramref name="part"/> (train or test).</summary>
    public ImageFolderFiles Part(string part, IReadOnlyList<string> classes, int perClass, int width, int height, int seed)
    {
        var random = new Random(seed);
        foreach (string c in classes)
            for (int i = 0; i < perClass; i++)
            {
                var pixels = new (byte, byte, byte)[height, width];
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        pixels[y, x] = ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                Write(Path.Combine(Root, part, c, $"{i:D3}.png"), pixels);
            }
        return this;
    }

    /// <summary>One opaque PNG file.</summary>
    public void Write(string path, (byte R, byte G, byte B)[,] pixels)
    {
        int height = pixels.GetLength(0), width = pixels.GetLength(1);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor(pixels[y, x].R, pixels[y, x].G, pixels[y, x].B, 255));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        Written[path] = pixels;
    }
}
