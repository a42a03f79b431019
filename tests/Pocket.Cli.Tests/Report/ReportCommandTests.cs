namespace Pocket.Cli.Tests.Report;

/// <summary>`pocket report` on the command line: the path it prints, and one-line errors.</summary>
public class ReportCommandTests
{
    [Fact]
    public void Report_prints_the_page_it_wrote()
    {
        var model = CompressedModels.LeNet300;
        string dir = Path.Combine(Directory.CreateTempSubdirectory("pocket-report-cli-").FullName, "out");
        var r = PocketProcess.Run("report", model.PocketPath, "--sensitivity", model.SensitivityJson, "--out", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal($"report: {Path.Combine(dir, "index.html")}", r.Stdout.Trim());
        Assert.True(File.Exists(Path.Combine(dir, "sensitivity.png")));
    }

    [Fact]
    public void Report_without_out_is_a_usage_error()
    {
        var r = PocketProcess.Run("report", CompressedModels.LeNet300.PocketPath);
        Assert.Contains("--out", PocketProcess.AssertOneLineError(r, 2));
    }

    [Fact]
    public void Report_of_a_missing_file_or_a_bad_sensitivity_file_is_one_line()
    {
        string dir = PocketProcess.Temp("");
        Assert.Contains("file not found", PocketProcess.AssertOneLineError(PocketProcess.Run("report", PocketProcess.Temp(".pocket"), "--out", dir)));
        string bad = PocketProcess.Temp(".json");
        File.WriteAllText(bad, "{\"layers\": 3}");
        Assert.Contains("pocket sensitivity --json", PocketProcess.AssertOneLineError(
            PocketProcess.Run("report", CompressedModels.LeNet300.PocketPath, "--sensitivity", bad, "--out", dir)));
    }
}
