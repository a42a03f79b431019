using Pocket.Training.Checkpoints;

namespace Pocket.Cli.Commands;

/// <summary>The --out of a command that writes a file: required, and checked writable before any long work starts.</summary>
public static class OutputArgument
{
    public static string Require([System.Diagnostics.CodeAnalysis.NotNull] string? path, string what)
    {
        if (string.IsNullOrEmpty(path)) throw new UsageException($"--out: required ({what})");
        AtomicFile.EnsureWritable(path);
        return path;
    }
}
