namespace Pocket.Cli.Tests;

/// <summary>A training run killed with SIGKILL and resumed ends exactly where an uninterrupted run ends.</summary>
public class ResumeTests
{
    private static readonly string[] Args = ["train", "--model", "lenet300", "--limit", "3000", "--epochs", "4", "--seed", "3"];

    [Fact]
    public void Killed_then_resumed_run_equals_an_uninterrupted_run()
    {
        string whole = PocketProcess.Temp(".ckpt"), killed = PocketProcess.Temp(".ckpt");
        Assert.Equal(0, PocketProcess.Run([.. Args, "--out", whole]).ExitCode);

        // Start the same run and SIGKILL it as soon as its first per-epoch checkpoint appears.
        using (var process = PocketProcess.Start([.. Args, "--out", killed]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(killed) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // SIGKILL on Linux
            process.WaitForExit();
        }
        Assert.True(File.Exists(killed));

        var resumed = PocketProcess.Run([.. Args, "--out", killed, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(killed));
    }

    [Fact]
    public void Resuming_with_other_settings_is_refused()
    {
        string path = PocketProcess.Temp(".ckpt");
        using (var process = PocketProcess.Start([.. Args, "--out", path]))
        {
            while (!File.Exists(path) && !process.HasExited) Thread.Sleep(20);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var r = PocketProcess.Run("train", "--model", "lenet300", "--limit", "3000", "--epochs", "4", "--seed", "4", "--out", path, "--resume");
        Assert.Contains("other settings", PocketProcess.AssertOneLineError(r));
    }
}
