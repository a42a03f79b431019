using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pocket.Web.Serve;

/// <summary>
/// A static file server on 127.0.0.1 only, for a published Blazor WebAssembly site. It sends the precompressed copy
/// the publish step wrote (file.br, else file.gz) when the browser accepts that encoding, as a production host would,
/// so what it transfers is what a visitor downloads. Every request is recorded, for tests that check what the page asks for.
/// </summary>
public sealed class StaticSiteServer : IDisposable
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".css"] = "text/css", [".json"] = "application/json", [".wasm"] = "application/wasm",
        [".dat"] = "application/octet-stream", [".pocket"] = "application/octet-stream", [".png"] = "image/png",
        [".ico"] = "image/x-icon", [".svg"] = "image/svg+xml", [".txt"] = "text/plain",
    };

    private readonly string _root;
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<ServedRequest> _requests = new();

    /// <summary>One request as served: the path asked for, the status, the encoding and the bytes sent.</summary>
    public sealed record ServedRequest(string Path, int Status, string? Encoding, long Bytes);

    public StaticSiteServer(string root, int port = 0)
    {
        _root = Path.GetFullPath(root);
        if (!File.Exists(Path.Combine(_root, "index.html")))
            throw new DirectoryNotFoundException($"{_root}: no index.html (publish the site first)");
        Port = port == 0 ? FreePort() : port;
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";
    public IReadOnlyCollection<ServedRequest> Requests => _requests.ToArray();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Respond(context));
        }
    }

    private async Task Respond(HttpListenerContext context)
    {
        var response = context.Response;
        string path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath);
        try
        {
            string relative = path.TrimStart('/');
            if (relative.Length == 0 || relative.EndsWith('/')) relative += "index.html";
            string file = Path.GetFullPath(Path.Combine(_root, relative));
            if (!file.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
            {
                response.StatusCode = 404;
                _requests.Enqueue(new ServedRequest(path, 404, null, 0));
                return;
            }
            string accepts = context.Request.Headers["Accept-Encoding"] ?? "";
            string? encoding = accepts.Contains("br") && File.Exists(file + ".br") ? "br"
                : accepts.Contains("gzip") && File.Exists(file + ".gz") ? "gzip" : null;
            string sent = encoding switch { "br" => file + ".br", "gzip" => file + ".gz", _ => file };
            byte[] body = await File.ReadAllBytesAsync(sent);
            response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            if (encoding is not null) response.AddHeader("Content-Encoding", encoding);
            response.AddHeader("Cache-Control", "no-cache");
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
            _requests.Enqueue(new ServedRequest(path, 200, encoding, body.Length));
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException)
        {
            _requests.Enqueue(new ServedRequest(path, 500, null, 0));
        }
        finally
        {
            try { response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { }
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
