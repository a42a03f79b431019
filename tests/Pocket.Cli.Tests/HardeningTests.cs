namespace Pocket.Cli.Tests;

/// <summary>Runs that go wrong stop with one line and leave what the user had.</summary>
public class HardeningTests
{
    [Fact]
    public void A_diverging_loss_stops_the_run_with_one_line_and_keeps_the_last_good_checkpoint()
    {
        string ckpt = PocketProcess.Temp(".ckpt");
        // Two good epochs first: the journal at --out holds epoch 2.
        Assert.Equal(0, PocketProcess.Run("train", "--model", "lenet300", "--limit", "500", "--epochs", "2", "--out", ckpt).ExitCode);
        byte[] good = File.ReadAllBytes(ckpt);
        var r = PocketProcess.Run("train", "--model", "lenet300", "--limit", "500", "--epochs", "2", "--lr", "1e12", "--out", ckpt);
        Assert.Contains("loss became", PocketProcess.AssertOneLineError(r));
        Assert.Equal(good, File.ReadAllBytes(ckpt));
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_is_one_line()
    {
        var r = PocketProcess.Run("train", "--model", "lenet300", "--limit", "200", "--epochs", "1", "--out", "/nonexistent-dir/x.ckpt");
        Assert.Contains("/nonexistent-dir", PocketProcess.AssertOneLineError(r));
    }

    [Fact]
    public void An_unwritable_output_is_one_line()
    {
        // /proc refuses new files even to root, like a full or read-only disk refuses the write.
        var r = PocketProcess.Run("train", "--model", "lenet300", "--limit", "200", "--epochs", "1", "--out", "/proc/pocket-test.ckpt");
        PocketProcess.AssertOneLineError(r);
    }

    [Theory]
    [InlineData("train")]  // fails at the first per-epoch journal write
    [InlineData("encode")] // fails writing the .pocket file itself
    public void A_full_disk_is_one_line_and_leaves_the_existing_output_intact(string command)
    {
        string trained = PocketProcess.Temp(".ckpt");
        CompressedModels.LeNet300.Trained.Save(trained);
        string[] args = command == "train"
            ? ["train", "--model", "lenet300", "--limit", "500", "--epochs", "2", "--json"] // --json: no progress lines on stderr
            : ["encode", trained];
        var r = FullDisk.Run(args, existingOutput: new byte[40_000]);
        Assert.Contains("No space left on device", PocketProcess.AssertOneLineError(r.Pocket));
        Assert.True(r.ExistingOutputIntact, "the file the user had at --out was changed");
        Assert.Equal(["out"], r.FilesLeft); // no temporary file, no half-written journal
    }

    [Fact]
    public void A_second_run_writing_the_same_output_is_refused_while_the_first_runs()
    {
        string path = PocketProcess.Temp(".ckpt");
        string[] args = ["train", "--model", "lenet300", "--limit", "3000", "--epochs", "6", "--out", path];
        using var first = PocketProcess.Start(args);
        try
        {
            while (!File.Exists(Path.Combine(path + ".resume", "lock")) && !first.HasExited) Thread.Sleep(10);
            Assert.False(first.HasExited, "the first run ended before the second started");
            Assert.Contains("another run is writing this output", PocketProcess.AssertOneLineError(PocketProcess.Run(args)));
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
    }
}
