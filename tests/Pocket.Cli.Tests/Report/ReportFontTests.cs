using System.Diagnostics;
using Pocket.Cli.Report;
using ScottPlot;

namespace Pocket.Cli.Tests.Report;

/// <summary>The report draws its text with the font shipped inside `pocket`, so a machine without fonts can write it.</summary>
public class ReportFontTests
{
    // Every folder a font could come from is hidden under an empty tmpfs, in a private mount namespace (unshare, inside
    // a user namespace when unprivileged) that nothing outside the test sees; fontconfig is given a config with no fonts.
    private const string WithoutSystemFonts = """
        set -u
        conf=$1; shift
        for d in /usr/share/fonts /usr/local/share/fonts "$HOME/.fonts" "$HOME/.local/share/fonts"; do
            [ -d "$d" ] && { mount -t tmpfs -o size=64k tmpfs "$d" || exit 90; }
        done
        [ -z "$(find /usr/share/fonts /usr/local/share/fonts -type f 2>/dev/null)" ] || exit 91
        FONTCONFIG_FILE=$conf dotnet "$@"
        """;

    [Fact]
    public void Report_renders_the_same_pages_with_no_system_font_at_all()
    {
        var model = CompressedModels.LeNet300;
        string root = Directory.CreateTempSubdirectory("pocket-report-font-").FullName;
        string withFonts = Path.Combine(root, "with-fonts"), withoutFonts = Path.Combine(root, "without-fonts");
        var r = PocketProcess.Run("report", model.PocketPath, "--out", withFonts);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var hidden = RunWithoutSystemFonts(root, ["report", model.PocketPath, "--out", withoutFonts]);
        Assert.True(hidden.ExitCode is not (90 or 91), $"could not hide the system fonts: {hidden.Stderr}");
        Assert.True(hidden.ExitCode == 0, $"report without system fonts failed: {hidden.Stderr}{hidden.Stdout}");

        var pngs = Directory.GetFiles(withFonts, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(pngs);
        Assert.Equal(pngs, Directory.GetFiles(withoutFonts, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        foreach (var png in pngs)
            Assert.True(File.ReadAllBytes(Path.Combine(withFonts, png!)).SequenceEqual(File.ReadAllBytes(Path.Combine(withoutFonts, png!))),
                $"{png} differs without system fonts: the report drew with a system font");
    }

    private static PocketProcess.Result RunWithoutSystemFonts(string scratch, string[] args)
    {
        string conf = Path.Combine(scratch, "fonts.conf");
        File.WriteAllText(conf, "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig></fontconfig>\n");
        return PrivateMountNamespace.Run(WithoutSystemFonts, [conf, Path.Combine(AppContext.BaseDirectory, "pocket.dll"), .. args]);
    }

    [Fact]
    public void Embedded_font_draws_text()
    {
        // Two titles of the same height but different text: if text silently rendered as nothing (no typeface), the
        // images would be equal.
        static byte[] Render(string title)
        {
            var plot = new Plot();
            plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 });
            plot.Title(title);
            ReportFont.Apply(plot);
            return plot.GetImageBytes(200, 120, ImageFormat.Png);
        }
        Assert.False(Render("Pocket").SequenceEqual(Render("Pocket!")));
    }

    [Fact]
    public void Both_embedded_faces_are_TrueType_files()
    {
        foreach (bool bold in new[] { false, true })
            Assert.Equal(new byte[] { 0, 1, 0, 0 }, ReportFont.FontFile(bold)[..4]);
    }
}
