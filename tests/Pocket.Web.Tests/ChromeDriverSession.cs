using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pocket.Web.Tests;

/// <summary>
/// Headless Chromium driven through chromedriver's W3C WebDriver HTTP API (the subset these tests use), with
/// HeadlessChromium's isolation switches. Any host other than 127.0.0.1 is mapped to an unreachable address, and
/// the DevTools performance log records every request the page starts, so a test sees a request even when it fails.
/// </summary>
public sealed class ChromeDriverSession : IDisposable
{
    private const string ElementKey = "element-6066-11e4-a52e-4f735466cecf";
    private readonly Process _driver;
    private readonly HttpClient _http = null!;
    private readonly string _session = null!;
    private readonly string _profile;

    public ChromeDriverSession(int width = 900, int height = 760)
    {
        _profile = Directory.CreateTempSubdirectory("pocket-web-chromium-").FullName;
        int port = FreePort();
        var info = new ProcessStartInfo(Driver(), [$"--port={port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        _driver = Process.Start(info)!;
        _driver.OutputDataReceived += (_, _) => { };
        _driver.ErrorDataReceived += (_, _) => { };
        _driver.BeginOutputReadLine();
        _driver.BeginErrorReadLine();
        // A session that cannot start must not leave chromedriver (and a browser) running.
        try
        {
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(120) };
            WaitForDriver();

            var args = new JsonArray();
            foreach (var a in HeadlessChromium.IsolationArguments(_profile)) args.Add(a);
            args.Add($"--window-size={width},{height}");
            args.Add("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
            var capabilities = new JsonObject
            {
                ["capabilities"] = new JsonObject
                {
                    ["alwaysMatch"] = new JsonObject
                    {
                        ["browserName"] = "chrome",
                        ["goog:chromeOptions"] = new JsonObject { ["binary"] = HeadlessChromium.Executable(), ["args"] = args },
                        ["goog:loggingPrefs"] = new JsonObject { ["performance"] = "ALL" },
                    },
                },
            };
            JsonNode created = Send(HttpMethod.Post, "session", capabilities)!;
            _session = created["sessionId"]!.GetValue<string>();
        }
        catch
        {
            StopDriver();
            throw;
        }
    }

    private static string Driver()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "chromedriver"))) return Path.Combine(dir, "chromedriver");
        Assert.Fail("chromedriver is not installed: the web page's browser tests need it (the test build installs it; by hand: apt-get install -y chromium-driver)");
        return "";
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private void WaitForDriver()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (_http.GetAsync("status").Result.IsSuccessStatusCode) return;
            }
            catch (AggregateException) { }
            Thread.Sleep(100);
        }
        throw new TimeoutException("chromedriver did not answer within 30 s");
    }

    private JsonNode? Send(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        // A sized body: chromedriver resets the connection on a chunked request.
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = _http.Send(request);
        string text = response.Content.ReadAsStringAsync().Result;
        JsonNode reply = JsonNode.Parse(text)!;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"WebDriver {method} {path}: {(int)response.StatusCode} {reply["value"]?["message"]}");
        return reply["value"];
    }

    private JsonNode? Session(HttpMethod method, string path, JsonNode? body = null) => Send(method, $"session/{_session}/{path}", body);

    public void Navigate(string url) => Session(HttpMethod.Post, "url", new JsonObject { ["url"] = url });

    /// <summary>Runs a script in the page (its last statement must be a `return`) and gives its JSON result.</summary>
    public JsonNode? Script(string script, params JsonNode?[] args)
    {
        var array = new JsonArray();
        foreach (var a in args) array.Add(a);
        return Session(HttpMethod.Post, "execute/sync", new JsonObject { ["script"] = script, ["args"] = array });
    }

    /// <summary>Polls <paramref name="condition"/> (a script expression) until it is true.</summary>
    public void WaitFor(string condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Script($"return !!({condition});")?.GetValue<bool>() == true) return;
            Thread.Sleep(50);
        }
        string body = Script("return document.body ? document.body.innerText : '';")?.GetValue<string>() ?? "";
        Assert.Fail($"{what} did not happen within {timeout.TotalSeconds:F0} s; the page says:\n{body[..Math.Min(body.Length, 1500)]}");
    }

    public string Element(string css) =>
        Session(HttpMethod.Post, "element", new JsonObject { ["using"] = "css selector", ["value"] = css })![ElementKey]!.GetValue<string>();

    /// <summary>Gives a file input a file from disk, as a person choosing or dropping it does.</summary>
    public void ChooseFile(string css, string path) =>
        Session(HttpMethod.Post, $"element/{Element(css)}/value", new JsonObject { ["text"] = path });

    public void Click(string css) => Session(HttpMethod.Post, $"element/{Element(css)}/click", new JsonObject());

    /// <summary>A mouse drag through <paramref name="points"/>, in pixels relative to the element's centre.</summary>
    public void Drag(string css, params (int X, int Y)[] points)
    {
        var origin = new JsonObject { [ElementKey] = Element(css) };
        var actions = new JsonArray { new JsonObject { ["type"] = "pointerMove", ["duration"] = 0, ["origin"] = origin.DeepClone(), ["x"] = points[0].X, ["y"] = points[0].Y } };
        actions.Add(new JsonObject { ["type"] = "pointerDown", ["button"] = 0 });
        foreach (var (x, y) in points.Skip(1))
            actions.Add(new JsonObject { ["type"] = "pointerMove", ["duration"] = 20, ["origin"] = origin.DeepClone(), ["x"] = x, ["y"] = y });
        actions.Add(new JsonObject { ["type"] = "pointerUp", ["button"] = 0 });
        Session(HttpMethod.Post, "actions", new JsonObject
        {
            ["actions"] = new JsonArray { new JsonObject { ["type"] = "pointer", ["id"] = "mouse", ["parameters"] = new JsonObject { ["pointerType"] = "mouse" }, ["actions"] = actions } },
        });
    }

    public byte[] Screenshot() => Convert.FromBase64String(Session(HttpMethod.Get, "screenshot")!.GetValue<string>());

    /// <summary>Every URL the page asked for since the last call, from the DevTools performance log (Network.requestWillBeSent).</summary>
    public List<string> RequestedUrls()
    {
        var urls = new List<string>();
        foreach (var entry in Session(HttpMethod.Post, "se/log", new JsonObject { ["type"] = "performance" })!.AsArray())
        {
            var message = JsonNode.Parse(entry!["message"]!.GetValue<string>())!["message"]!;
            if (message["method"]?.GetValue<string>() == "Network.requestWillBeSent")
                urls.Add(message["params"]!["request"]!["url"]!.GetValue<string>());
        }
        return urls;
    }

    public void Dispose()
    {
        try { if (_session is not null) Session(HttpMethod.Delete, ""); } catch (Exception e) when (e is HttpRequestException or InvalidOperationException or AggregateException or JsonException) { }
        StopDriver();
    }

    private void StopDriver()
    {
        try { _driver.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _driver.Dispose();
        _http?.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
