using System.Globalization;
using System.Text.Json.Nodes;

namespace Pocket.Web.Tests;

/// <summary>The Pocket.Web page open in headless Chromium: what a person does on it and what it shows.</summary>
public sealed class PocketPage : IDisposable
{
    public sealed record Guess(int Class, string Label, double Probability);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(240);

    public PocketPage(PublishedPage page)
    {
        Browser = new ChromeDriverSession();
        try
        {
            Browser.Navigate(page.Server.Url);
            Browser.WaitFor("document.querySelector('#status[data-ready=true]')", Patience, "the page loading its model");
        }
        catch
        {
            Browser.Dispose(); // a page that does not load must not leave its browser running
            throw;
        }
        RequestsAtReady = page.Server.Requests.Count;
    }

    public ChromeDriverSession Browser { get; }

    /// <summary>Requests the server had answered when the page said it was ready (the tests of the collection run one at a time).</summary>
    public int RequestsAtReady { get; }

    public string Text(string css) => Browser.Script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)?.GetValue<string>() ?? "";

    public string? Attribute(string css, string name) =>
        Browser.Script("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name)?.GetValue<string>();

    private int Predictions => int.TryParse(Attribute("#top5", "data-prediction"), out int n) ? n : 0;

    /// <summary>Drops a picture on the page and waits for its prediction.</summary>
    public Guess[] Drop(string picture)
    {
        int before = Predictions;
        Browser.ChooseFile("#file", picture);
        Browser.WaitFor($"(+document.querySelector('#top5')?.getAttribute('data-prediction') || 0) > {before} || document.querySelector('#error')", Patience, $"a prediction for {Path.GetFileName(picture)}");
        Assert.Null(Attribute("#error", "class"));
        return Top();
    }

    /// <summary>Drops a .pocket file and waits until the page names it or shows an error.</summary>
    public void DropModel(string file)
    {
        Browser.ChooseFile("#file", file);
        string name = Path.GetFileName(file);
        Browser.WaitFor($"document.querySelector('#error') || document.querySelector('#model-info')?.getAttribute('data-file') === {JsonValue.Create(name).ToJsonString()}", Patience, $"the page taking {name}");
    }

    /// <summary>Draws a stroke on the pad (points relative to its centre) and waits for the prediction.</summary>
    public Guess[] Draw(params (int X, int Y)[] points)
    {
        int before = Predictions;
        Browser.Drag("#pad", points);
        Browser.WaitFor($"(+document.querySelector('#top5')?.getAttribute('data-prediction') || 0) > {before}", Patience, "a prediction for the drawing");
        return Top();
    }

    public Guess[] Top()
    {
        var items = Browser.Script(
            "return [...document.querySelectorAll('#top5 li')].map(li => [li.dataset.class, li.dataset.label, li.dataset.probability]);")!.AsArray();
        return items.Select(i => new Guess(int.Parse(i![0]!.GetValue<string>(), CultureInfo.InvariantCulture), i[1]!.GetValue<string>(),
            double.Parse(i[2]!.GetValue<string>(), CultureInfo.InvariantCulture))).ToArray();
    }

    public void Dispose() => Browser.Dispose();
}
