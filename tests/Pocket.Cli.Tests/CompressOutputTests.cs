namespace Pocket.Cli.Tests;

/// <summary>
/// `compress` writes its .pocket file and report only once every step has succeeded and refuses at once an output whose
/// report could never be written: the file the user already had stays byte for byte, and no temporary file is left.
/// </summary>
public class CompressOutputTests
{
    private static PocketProcess.Result Compress(string output)
    {
        string trained = PocketProcess.Temp(".ckpt");
        CompressedModels.LeNet300.Trained.Save(trained);
        return PocketProcess.Run("compress", "--from", trained, "--limit", "500", "--rounds", "1", "--retrain-epochs", "1",
            "--finetune-epochs", "1", "--out", output, "--json");
    }

    [Fact]
    public void A_report_location_that_is_a_file_is_refused_before_any_training_and_nothing_is_touched()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-compress-output-").FullName;
        string output = Path.Combine(folder, "m.pocket"), report = Path.Combine(folder, "m.report");
        byte[] previous = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];
        File.WriteAllBytes(output, previous);
        File.WriteAllText(report, "a file where the report folder goes"); // the report could never be written

        var r = Compress(output);

        Assert.Contains("m.report: is a file", PocketProcess.AssertOneLineError(r));
        Assert.Equal(previous, File.ReadAllBytes(output));
        Assert.Equal("a file where the report folder goes", File.ReadAllText(report));
        // Checked before the run starts: no journal, no temporary file, only the user's two files.
        Assert.Equal(["m.pocket", "m.report"],
            Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void A_successful_run_replaces_the_previous_file_and_report_and_leaves_nothing_else()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-compress-output-").FullName;
        string output = Path.Combine(folder, "m.pocket"), report = Path.Combine(folder, "m.report");
        File.WriteAllBytes(output, [1, 2, 3]);
        Directory.CreateDirectory(report);
        File.WriteAllText(Path.Combine(report, "stale.png"), "from an earlier run");

        var r = Compress(output);

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        Assert.Equal(json.RootElement.GetProperty("file_bytes").GetInt64(), new FileInfo(output).Length);
        Assert.Equal("POCKET"u8.ToArray(), File.ReadAllBytes(output)[1..7]);
        Assert.True(File.Exists(Path.Combine(report, "index.html")));
        Assert.False(File.Exists(Path.Combine(report, "stale.png")));
        Assert.Equal(["m.pocket", "m.report"],
            Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray());
    }
}
