using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Pocket.Web.Tests;

/// <summary>
/// What the page costs a visitor, measured in one run side by side with Pocket.Runtime in this console process:
/// bytes transferred and on disk, time to the first prediction, and time per prediction for each shipped model.
/// The figures go to the test output, and to bench/results/web.md's JSON when POCKET_WEB_MEASUREMENTS names a file
/// (POCKET_WEB_SCREENSHOT likewise saves the page as a PNG). Nothing here asserts a time.
/// </summary>
[Collection(PublishedPageCollection.Name)]
public sealed class MeasurementTests(PublishedPage published, ITestOutputHelper output)
{
    private const int Rounds = 7, Repeats = 20; // the page's own "Time predictions" scheme (ClassifierPage.TimePredictions)

    [Fact]
    public void The_page_transfers_less_than_it_holds_and_reports_its_timings()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-web-measure-").FullName;
        int before = published.Server.Requests.Count;
        var clock = Stopwatch.StartNew();
        using var page = new PocketPage(published);
        double readyWall = clock.Elapsed.TotalMilliseconds;
        var load = published.Server.Requests.Skip(before).ToList();
        Assert.All(load, r => Assert.Equal(200, r.Status));
        long transferred = load.Sum(r => r.Bytes);
        long requestedOnDisk = load.Sum(r => new FileInfo(Path.Combine(published.Site, r.Path.TrimStart('/') is "" ? "index.html" : r.Path.TrimStart('/'))).Length);
        long siteOnDisk = Directory.EnumerateFiles(published.Site, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".br", StringComparison.Ordinal) && !f.EndsWith(".gz", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        Assert.True(transferred < requestedOnDisk, $"{transferred} bytes sent for {requestedOnDisk} bytes of files: not compressed");

        page.Drop(TestDigits.Mnist.WriteBmp(0, folder));
        double readyMs = double.Parse(page.Attribute("#status", "data-ready-ms")!, CultureInfo.InvariantCulture);
        double firstPredictionMs = double.Parse(page.Attribute("#status", "data-first-prediction-ms")!, CultureInfo.InvariantCulture);
        double firstLatencyMs = double.Parse(page.Attribute("#latency", "data-ms")!, CultureInfo.InvariantCulture);

        var models = new List<object>();
        foreach (var (button, file, images) in new[] { ("#model-mnist", "lenet5-mnist.pocket", TestDigits.Mnist), ("#model-fashion", "lenet300-fashion-mnist.pocket", TestDigits.FashionMnist) })
        {
            page.Browser.Click(button);
            page.Browser.WaitFor($"document.querySelector('#model-info')?.getAttribute('data-file') === '{file}'", TimeSpan.FromSeconds(60), $"switching to {file}");
            page.Drop(images.WriteBmp(1, folder));
            page.Browser.Click("#time");
            page.Browser.WaitFor("document.querySelector('#timing')", TimeSpan.FromSeconds(120), "timing predictions");
            double browserMs = double.Parse(page.Attribute("#timing", "data-median-ms")!, CultureInfo.InvariantCulture);
            double consoleMs = ConsoleMedian(new ConsoleReference(published.ShippedModel(file)), images.Input(1));
            Assert.True(browserMs > 0 && consoleMs > 0);
            models.Add(new { file, bytes = new FileInfo(published.ShippedModel(file)).Length, browserMs, consoleMs, ratio = browserMs / consoleMs });
        }

        page.Browser.Click("#model-mnist");
        page.Browser.WaitFor("document.querySelector('#model-info')?.getAttribute('data-file') === 'lenet5-mnist.pocket'", TimeSpan.FromSeconds(60), "switching back");
        var seven = page.Draw((-45, -70), (45, -70), (10, 0), (-15, 85));
        byte[] png = page.Browser.Screenshot();
        Assert.Equal(0x89, png[0]);

        var figures = new
        {
            requests = load.Count, transferredBytes = transferred, requestedBytesOnDisk = requestedOnDisk, siteBytesOnDisk = siteOnDisk,
            encodings = load.GroupBy(r => r.Encoding ?? "identity").ToDictionary(g => g.Key, g => g.Count()),
            browserSimd = page.Attribute("#status", "data-simd"), browserVectorFloats = page.Attribute("#status", "data-vector-floats"),
            readyWallMs = readyWall, readyMs, firstPredictionMs, firstLatencyMs, drawnSeven = seven[0].Label, models,
            console = $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, Vector<float>.Count {System.Numerics.Vector<float>.Count}",
        };
        string json = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        output.WriteLine(json);
        if (Environment.GetEnvironmentVariable("POCKET_WEB_MEASUREMENTS") is { Length: > 0 } jsonPath) File.WriteAllText(jsonPath, json);
        if (Environment.GetEnvironmentVariable("POCKET_WEB_SCREENSHOT") is { Length: > 0 } pngPath) File.WriteAllBytes(pngPath, png);
    }

    /// <summary>The page's timing scheme run by Pocket.Runtime here: median over rounds of the mean of several predictions.</summary>
    private static double ConsoleMedian(ConsoleReference reference, float[] input)
    {
        var result = new float[reference.Network.OutputLength];
        for (int i = 0; i < Repeats; i++) reference.Network.Predict(input, result); // warm-up, as the page has run it once
        var rounds = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Repeats; i++) reference.Network.Predict(input, result);
            rounds[r] = clock.Elapsed.TotalMilliseconds / Repeats;
        }
        Array.Sort(rounds);
        return rounds[Rounds / 2];
    }
}
