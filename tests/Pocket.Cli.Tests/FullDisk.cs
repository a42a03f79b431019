using System.Diagnostics;

namespace Pocket.Cli.Tests;

/// <summary>
/// Runs `pocket` with its --out on a real full disk: a 64 KiB tmpfs, mounted in a private mount namespace
/// (unshare; as an unprivileged user, inside a user namespace) so nothing outside the test ever sees it. The
/// tmpfs holds the file the user already had at --out, and leaves too little room for anything the run writes.
/// </summary>
public static class FullDisk
{
    public sealed record Result(PocketProcess.Result Pocket, bool ExistingOutputIntact, string[] FilesLeft);

    private const string Script = """
        set -u
        dir=$1; existing=$2; shift 2
        mount -t tmpfs -o size=64k tmpfs "$dir" || exit 90
        cp "$existing" "$dir/out" || exit 91
        dotnet "$@" --out "$dir/out"
        code=$?
        cmp -s "$existing" "$dir/out" && echo "INTACT"
        echo "FILES: $(ls -A "$dir" | tr '\n' ' ')"
        exit $code
        """;

    public static Result Run(string[] args, byte[] existingOutput)
    {
        string mountPoint = Directory.CreateTempSubdirectory("pocket-full-disk-").FullName;
        string existing = PocketProcess.Temp(".bin");
        File.WriteAllBytes(existing, existingOutput);
        var run = PrivateMountNamespace.Run(Script, [mountPoint, existing, Path.Combine(AppContext.BaseDirectory, "pocket.dll"), .. args]);
        string output = run.Stdout;
        Assert.True(run.ExitCode is not (90 or 91), $"could not set up the full disk: {run.Stderr}");
        string files = output.Split('\n').Single(l => l.StartsWith("FILES:"))["FILES:".Length..];
        return new Result(run, output.Contains("INTACT"),
            files.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
