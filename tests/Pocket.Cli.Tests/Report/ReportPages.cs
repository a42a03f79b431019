using System.Text.RegularExpressions;
using SkiaSharp;

namespace Pocket.Cli.Tests.Report;

/// <summary>Reading back what the report wrote: the pictures the page refers to, and whether a PNG shows anything.</summary>
public static partial class ReportPages
{
    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();

    /// <summary>The src of every &lt;img&gt; of the page, unescaped.</summary>
    public static IReadOnlyList<string> ImageSources(string html) =>
        ImageSource().Matches(html).Select(m => Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value))).ToList();

    /// <summary>Decodes a PNG and asserts it is a real picture: the expected size, many colours, plenty of non-background ink.</summary>
    public static void AssertNotBlank(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path}: does not decode as an image");
        Assert.True(bitmap.Width >= 800 && bitmap.Height >= 450, $"{path}: {bitmap.Width}x{bitmap.Height}");
        var background = bitmap.GetPixel(0, 0);
        var colours = new HashSet<uint>();
        long ink = 0, total = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                total++;
                if (c != background) ink++;
            }
        Assert.True(colours.Count >= 8, $"{path}: only {colours.Count} distinct colours");
        Assert.True(ink > total / 50, $"{path}: only {ink} of {total} sampled pixels differ from the background");
    }
}
