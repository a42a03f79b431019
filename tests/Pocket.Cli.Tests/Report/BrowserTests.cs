using System.Text.RegularExpressions;
using Pocket.Cli.Report;

namespace Pocket.Cli.Tests.Report;

/// <summary>The page as a reader sees it: opened offline in headless Chromium, every picture loads.</summary>
public class BrowserTests
{
    [Fact]
    public void Every_image_of_the_page_loads_in_headless_chromium()
    {
        var model = CompressedModels.LeNet5;
        string dir = Directory.CreateTempSubdirectory("pocket-report-browser-").FullName;
        string index = ReportWriter.Write(model.PocketPath, model.Trained, model.SensitivityJson, dir);
        int images = ReportPages.ImageSources(File.ReadAllText(index)).Count;

        string dom = HeadlessChromium.Run(index, "--dump-dom");

        // The page's inline script writes these once the load event has fired (HtmlPage).
        var total = Regex.Match(dom, "data-images-total=\"(\\d+)\"");
        var loaded = Regex.Match(dom, "data-images-loaded=\"(\\d+)\"");
        Assert.True(total.Success && loaded.Success, "the page's image check did not run:\n" + dom[..Math.Min(dom.Length, 2000)]);
        Assert.Equal(images, int.Parse(total.Groups[1].Value));
        Assert.Equal(images, int.Parse(loaded.Groups[1].Value));
        Assert.Contains($"images: {images} of {images} loaded", dom);
    }
}
