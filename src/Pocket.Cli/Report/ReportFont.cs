using ScottPlot;

namespace Pocket.Cli.Report;

/// <summary>
/// The typeface of every plot. The Linux Skia build without native dependencies has no font manager (it cannot
/// ask fontconfig), so text would silently render as nothing; instead the report loads a TrueType file itself
/// from the usual font folders and registers it with ScottPlot under one family name.
/// </summary>
public static class ReportFont
{
    public const string Family = "Pocket Report Sans";

    // Preferred in order: metrics-stable sans faces that Debian (fonts-dejavu-core comes with fontconfig,
    // fonts-liberation with chromium), macOS and Windows ship.
    private static readonly (string Regular, string Bold)[] Preferred =
    [
        ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
        ("arial.ttf", "arialbd.ttf"),
        ("Arial.ttf", "Arial Bold.ttf"),
        ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
        ("FreeSans.ttf", "FreeSansBold.ttf"),
    ];

    private static readonly Lazy<string> Registered = new(Register);

    /// <summary>Sets the report font on every text element of <paramref name="plot"/>.</summary>
    public static void Apply(Plot plot) => plot.Font.Set(Registered.Value);

    private static string Register()
    {
        var files = FontFiles();
        foreach (var (regular, bold) in Preferred)
        {
            if (!files.TryGetValue(regular, out var regularPath)) continue;
            Fonts.AddFontFile(Family, regularPath, bold: false, italic: false);
            Fonts.AddFontFile(Family, files.GetValueOrDefault(bold, regularPath), bold: true, italic: false);
            return Family;
        }
        var any = files.Values.Order(StringComparer.Ordinal).FirstOrDefault();
        if (any is not null)
        {
            Fonts.AddFontFile(Family, any, bold: false, italic: false);
            Fonts.AddFontFile(Family, any, bold: true, italic: false);
            return Family;
        }
        throw new InputException("report: no TrueType font found in the system font folders (on Debian: apt-get install fonts-dejavu-core)");
    }

    /// <summary>Every .ttf under the usual font folders, by file name (the first found wins).</summary>
    private static Dictionary<string, string> FontFiles()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] folders =
        [
            "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".fonts"), Path.Combine(home, ".local/share/fonts"),
            "/System/Library/Fonts", "/Library/Fonts", Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
        ];
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive };
        foreach (var folder in folders.Where(f => f.Length > 0 && Directory.Exists(f)))
            foreach (var file in Directory.EnumerateFiles(folder, "*.ttf", options))
                files.TryAdd(Path.GetFileName(file), file);
        return files;
    }
}
