using System.Diagnostics;

namespace Pocket.Cli.Tests;

/// <summary>
/// Runs a shell script in a private mount namespace (<c>unshare --mount</c>, as root or with a mapped root user), so it
/// can mount over the machine's folders (a tiny tmpfs, hidden font folders) without changing them for anyone else.
/// The script gets <paramref name="scriptArgs"/> as $1, $2, ….
/// </summary>
internal static class PrivateMountNamespace
{
    public static PocketProcess.Result Run(string script, IEnumerable<string> scriptArgs)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!Environment.IsPrivilegedProcess) info.ArgumentList.Add("--map-root-user");
        foreach (var a in (string[])["--mount", "--propagation", "private", "sh", "-c", script, "sh", .. scriptArgs])
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new PocketProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
