using Pocket.Format;

namespace Pocket.Web.Tests;

/// <summary>
/// The published page in a real headless Chromium on localhost, driven as a person uses it. Each test opens the page
/// once and does several things on it: booting .NET in the page is the slow part.
/// </summary>
[Collection(PublishedPageCollection.Name)]
public sealed class PageTests(PublishedPage published)
{
    private const string Mnist = "lenet5-mnist.pocket", Fashion = "lenet300-fashion-mnist.pocket";

    [Fact]
    public void Dropped_test_images_get_the_class_and_probability_pocket_runtime_gives_them_with_both_shipped_models()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-web-digits-").FullName;
        using var page = new PocketPage(published);
        Assert.Equal(Mnist, page.Attribute("#model-info", "data-file"));
        Assert.Equal(new FileInfo(published.ShippedModel(Mnist)).Length.ToString(), page.Attribute("#model-info", "data-bytes"));

        var digits = new ConsoleReference(published.ShippedModel(Mnist));
        for (int i = 0; i < 12; i++)
        {
            var top = page.Drop(TestDigits.Mnist.WriteBmp(i, folder));
            var (expected, probability) = digits.Top(TestDigits.Mnist.Input(i));
            Assert.Equal(5, top.Length);
            Assert.Equal(expected, top[0].Class);
            Assert.Equal(digits.Labels[expected], top[0].Label);
            // The browser's WebAssembly has no fused multiply-add, the console's AVX2 build has: last-bit differences only.
            Assert.Equal(probability, top[0].Probability, 1e-4);
        }
        Assert.Matches(@"^This prediction took \d+\.\d\d ms in this browser", page.Text("#latency"));

        page.Browser.Click("#model-fashion");
        page.Browser.WaitFor($"document.querySelector('#model-info')?.getAttribute('data-file') === '{Fashion}'", TimeSpan.FromSeconds(60), "switching to the fashion model");
        Assert.Contains("named in the file", page.Text("#model-info"));
        var clothes = new ConsoleReference(published.ShippedModel(Fashion));
        Assert.Equal("Ankle boot", clothes.Labels[9]);
        for (int i = 0; i < 4; i++)
        {
            var top = page.Drop(TestDigits.FashionMnist.WriteBmp(i, folder));
            var (expected, probability) = clothes.Top(TestDigits.FashionMnist.Input(i));
            Assert.Equal(expected, top[0].Class);
            Assert.Equal(clothes.Labels[expected], top[0].Label);
            Assert.Equal(probability, top[0].Probability, 1e-4);
        }
    }

    [Fact]
    public void A_damaged_pocket_file_gets_one_line_on_the_page_and_the_page_keeps_working()
    {
        byte[] good = File.ReadAllBytes(published.ShippedModel(Mnist));
        string folder = Directory.CreateTempSubdirectory("pocket-web-damaged-").FullName;
        using var page = new PocketPage(published);
        foreach (var (damage, bytes) in new[] { ("flipped", Flip(good, good.Length / 2)), ("truncated", good[..(good.Length / 3)]), ("not-a-model", "this is not a model"u8.ToArray()) })
        {
            string file = Path.Combine(folder, $"{damage}.pocket");
            File.WriteAllBytes(file, bytes);
            page.DropModel(file);
            string shown = page.Text("#error").Trim();
            Assert.DoesNotContain('\n', shown);
            Assert.Equal(ExpectedError(bytes, Path.GetFileName(file)), shown);
            Assert.Equal(Mnist, page.Attribute("#model-info", "data-file")); // the model in use is kept

            var top = page.Drop(TestDigits.Mnist.WriteBmp(0, folder));
            Assert.Equal(5, top.Length);
        }
    }

    /// <summary>The message the format reader gives for these bytes: the page shows that line, not a crash.</summary>
    private static string ExpectedError(byte[] bytes, string name)
    {
        var e = Assert.Throws<PocketFormatException>(() => PocketFile.Decode(bytes, name));
        Assert.StartsWith(name, e.Message);
        return e.Message;
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    /// <summary>Schemes that reach a network (chrome:// and the like are the browser's own pages, served from inside it).</summary>
    private static bool IsNetwork(string url) =>
        new[] { "http:", "https:", "ws:", "wss:", "ftp:" }.Any(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void It_says_nothing_leaves_the_device_and_it_is_true_no_request_leaves_localhost_none_after_loading()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-web-offline-").FullName;
        using var page = new PocketPage(published);
        Assert.Contains("Nothing leaves this device.", page.Text("#privacy"));
        var atLoad = page.Browser.RequestedUrls().Where(IsNetwork).ToList();
        Assert.All(atLoad, url => Assert.StartsWith(published.Server.Url, url));
        Assert.Contains(atLoad, url => url.EndsWith("models/" + Mnist, StringComparison.Ordinal));
        Assert.Contains(atLoad, url => url.EndsWith("models/" + Fashion, StringComparison.Ordinal));

        // Everything a person does on the page: draw, drop a picture, drop a model, time predictions.
        var drawn = page.Draw((0, -90), (0, -45), (0, 0), (0, 45), (0, 90));
        Assert.Equal(5, drawn.Length);
        Assert.Equal("1", drawn[0].Label);
        page.Drop(TestDigits.Mnist.WriteBmp(3, folder));
        page.DropModel(published.ShippedModel(Fashion));
        page.Drop(TestDigits.FashionMnist.WriteBmp(3, folder));
        page.Browser.Click("#time");
        page.Browser.WaitFor("document.querySelector('#timing')", TimeSpan.FromSeconds(120), "timing predictions");

        // The browser's own record (every request started, failed ones included) and the server's agree: none.
        Assert.DoesNotContain(page.Browser.RequestedUrls(), IsNetwork);
        Assert.Equal("0", page.Attribute("#requests-after-load", "data-count"));
        Assert.Equal(page.RequestsAtReady, published.Server.Requests.Count);
    }
}
