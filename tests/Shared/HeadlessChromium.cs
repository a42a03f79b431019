using System.Diagnostics;

namespace Pocket.Tests;

/// <summary>
/// Debian's chromium in headless mode, isolated (own profile, no network services), for checking pages as a browser
/// sees them. Shared by the test projects that open pages (linked in by their .csproj; Chromium.targets installs it).
/// </summary>
public static class HeadlessChromium
{
    public static string Executable()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        Assert.Fail("chromium is not installed: the browser tests need it (the test build installs it; by hand: apt-get install -y chromium)");
        return "";
    }

    /// <summary>The switches every headless run gets: no sandbox (root), no GPU, no background network services, a fresh profile.</summary>
    public static IReadOnlyList<string> IsolationArguments(string profile) =>
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}"];

    /// <summary>Runs chromium on <paramref name="page"/> with the given mode arguments (--dump-dom, --screenshot=…) and returns stdout.</summary>
    public static string Run(string page, params string[] mode)
    {
        string profile = Directory.CreateTempSubdirectory("pocket-chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in IsolationArguments(profile)) info.ArgumentList.Add(a);
            info.ArgumentList.Add("--virtual-time-budget=5000");
            foreach (var a in mode) info.ArgumentList.Add(a);
            info.ArgumentList.Add(new Uri(Path.GetFullPath(page)).AbsoluteUri);
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 60 s");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
