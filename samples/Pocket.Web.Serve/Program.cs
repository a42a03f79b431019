using Pocket.Web.Serve;

// pocket-web-serve [SITE_DIR] [--port N]: serves a published Pocket.Web (its wwwroot/) on 127.0.0.1 until Ctrl+C.
string site = "artifacts/web/wwwroot";
int port = 5080;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out int p) && p is > 0 and < 65536) { port = p; i++; }
    else if (!args[i].StartsWith("--", StringComparison.Ordinal)) site = args[i];
    else { Console.Error.WriteLine($"pocket-web-serve: {args[i]}: unknown option (usage: [SITE_DIR] [--port N])"); return 2; }
}
try
{
    using var server = new StaticSiteServer(site, port);
    Console.WriteLine($"Pocket.Web is served at {server.Url} (from {Path.GetFullPath(site)}); Ctrl+C stops it.");
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    await stop.Task;
    return 0;
}
catch (Exception e) when (e is DirectoryNotFoundException or System.Net.HttpListenerException)
{
    Console.Error.WriteLine($"pocket-web-serve: {e.Message}");
    return 1;
}
