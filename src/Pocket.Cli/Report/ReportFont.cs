using ScottPlot;
using SkiaSharp;

namespace Pocket.Cli.Report;

/// <summary>
/// The typeface of every plot: DejaVu Sans, shipped inside the `pocket` assembly (Report/Fonts, with its licence).
/// The Linux Skia build without native dependencies has no font manager (it cannot ask fontconfig), and a machine may
/// have no fonts at all, so the report never looks for a system font: it registers the embedded files with ScottPlot
/// under one family name and sets that family on every text element.
/// </summary>
public static class ReportFont
{
    public const string Family = "Pocket Report Sans";

    private static readonly Lazy<string> Registered = new(Register);

    /// <summary>Sets the report font on every text element of <paramref name="plot"/>.</summary>
    public static void Apply(Plot plot) => plot.Font.Set(Registered.Value);

    /// <summary>The embedded TrueType file of the regular or bold face.</summary>
    public static byte[] FontFile(bool bold)
    {
        string name = bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf";
        using var stream = typeof(ReportFont).Assembly.GetManifestResourceStream($"Pocket.Cli.Report.Fonts.{name}")
            ?? throw new InvalidOperationException($"report font {name} is not embedded in the pocket assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Register()
    {
        Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver(FontFile(bold: false), FontFile(bold: true)));
        return Family;
    }

    /// <summary>Gives ScottPlot a new typeface of the embedded face for <see cref="Family"/> (any other family: not ours).</summary>
    private sealed class EmbeddedFontResolver(byte[] regular, byte[] bold) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            CreateTypeface(fontName, weight >= FontWeight.Bold, slant != FontSlant.Upright);

        public SKTypeface? CreateTypeface(string fontName, bool bold1, bool italic)
        {
            if (fontName != Family) return null;
            using var data = SKData.CreateCopy(bold1 ? bold : regular);
            return SKTypeface.FromData(data);
        }
    }
}
