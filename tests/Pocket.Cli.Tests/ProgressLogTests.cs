namespace Pocket.Cli.Tests;

/// <summary>Progress on a redirected stderr (a log file, a CI job) is one line per epoch, however long.</summary>
public sealed class ProgressLogTests
{
    [Fact]
    public void An_epoch_line_longer_than_80_columns_is_not_broken()
    {
        var run = PocketProcess.Run("train", "--model", "mobilenet_v1", "--option", "alpha=0.25", "--option", "resolution=28",
            "--dataset", "mnist", "--epochs", "1", "--limit", "32", "--out", PocketProcess.Temp(".ckpt"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        string line = run.Stderr.Split('\n').Single(l => l.StartsWith("train mobilenet_v1(alpha=0.25, resolution=28) epoch 1/1", StringComparison.Ordinal));
        Assert.True(line.Length > 80, line);
        Assert.Matches(@"eta \d\d:\d\d\s*$", line);
    }
}
