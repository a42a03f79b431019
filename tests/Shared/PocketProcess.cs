using System.Diagnostics;

namespace Pocket.Tests;

/// <summary>
/// Runs the real `pocket` program (the build next to the tests) as a separate process, as a user would. Shared by the
/// test projects that reference Pocket.Cli (linked in by their .csproj).
/// </summary>
public static class PocketProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Starts `pocket` without waiting (for tests that kill it mid-run).</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts `pocket` with extra environment variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pocket.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    public static Result Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    public static Result Run(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pocket {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Temp(string extension) => Path.Combine(Path.GetTempPath(), $"pocket-cli-{Guid.NewGuid():N}{extension}");

    /// <summary>
    /// Asserts a failure: the given exit code (null: any non-zero one) and exactly one error line on stderr, no stack
    /// trace. The one notice a process may print before it, that libtorch's conv path was changed on this CPU
    /// (TorchBackend), is not an error and is not counted.
    /// </summary>
    public static string AssertOneLineError(Result r, int? exitCode = 1)
    {
        if (exitCode is int expected) Assert.Equal(expected, r.ExitCode);
        else Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith(Pocket.Training.Training.TorchBackend.NoticePrefix, StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.StartsWith("pocket: ", lines[0]);
        return lines[0];
    }
}
