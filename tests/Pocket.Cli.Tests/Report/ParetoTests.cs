using System.Text.Json;
using Pocket.Cli.Commands;
using Pocket.Cli.Report;

namespace Pocket.Cli.Tests.Report;

/// <summary>`pocket pareto`: each file measured from disk and by Pocket.Runtime, the front marked, table and plots written.</summary>
public class ParetoTests
{
    [Fact]
    public void A_file_is_on_the_front_only_when_no_file_of_its_model_is_both_no_larger_and_no_worse()
    {
        var points = ParetoFront.Mark(
        [
            new("small-bad", "a", 100, 1000, 0.03), new("mid-good", "a", 200, 1000, 0.02), new("big-worse", "a", 300, 1000, 0.025),
            new("mid-tie", "a", 200, 1000, 0.02), new("same-size-worse", "a", 200, 1000, 0.021),
            new("other-model", "b", 500, 1000, 0.5), // another model never dominates
        ]);
        var front = points.Where(p => p.OnFront).Select(p => p.Label).ToHashSet();
        Assert.Equal(["mid-good", "mid-tie", "other-model", "small-bad"], front.Order());
    }

    [Fact]
    public void Pareto_measures_each_file_as_run_does_and_writes_the_table_and_a_plot_per_model()
    {
        string dir = Directory.CreateTempSubdirectory("pocket-pareto-").FullName;
        string huffman = Path.Combine(dir, "huffman.pocket"), bias1 = Path.Combine(dir, "bias1.pocket");
        Assert.Equal(0, PocketProcess.Run("encode", CompressedModels.LeNet300.PocketPath, "--coding", "huffman", "--out", huffman).ExitCode);
        Assert.Equal(0, PocketProcess.Run("encode", CompressedModels.LeNet300.PocketPath, "--bias-bits", "1", "--out", bias1).ExitCode);
        string outDir = Path.Combine(dir, "out");
        var r = PocketProcess.Run("pareto", huffman, bias1, CompressedModels.LeNet5.PocketPath, "--out", outDir, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("file").GetString()!);
        Assert.Equal(["bias1", "huffman", "lenet5"], rows.Keys.Order());
        foreach (var (name, path) in new[] { ("huffman", huffman), ("bias1", bias1), ("lenet5", CompressedModels.LeNet5.PocketPath) })
        {
            var row = rows[name];
            Assert.Equal(new FileInfo(path).Length, row.GetProperty("file_bytes").GetInt64());
            var run = PocketProcess.Run("run", path, "--json");
            Assert.True(run.ExitCode == 0, run.Stderr);
            double accuracy = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("accuracy").GetDouble();
            Assert.Equal(1 - accuracy, row.GetProperty("test_error").GetDouble(), 5);
        }
        Assert.Equal(1_066_440, rows["huffman"].GetProperty("dense_bytes").GetInt64());
        // 1-bit bias codebooks make the smaller file: it is on the front whatever its error; each model has its own front.
        Assert.True(rows["bias1"].GetProperty("file_bytes").GetInt64() < rows["huffman"].GetProperty("file_bytes").GetInt64());
        Assert.True(rows["bias1"].GetProperty("on_front").GetBoolean());
        Assert.True(rows["lenet5"].GetProperty("on_front").GetBoolean());
        Assert.Equal(rows["huffman"].GetProperty("test_error").GetDouble() < rows["bias1"].GetProperty("test_error").GetDouble(),
            rows["huffman"].GetProperty("on_front").GetBoolean());

        string table = File.ReadAllText(Path.Combine(outDir, ParetoCommand.TableFile));
        Assert.Contains("| lenet300 |", table);
        Assert.Contains("(pareto-lenet5.png)", table);
        foreach (var png in new[] { "pareto-lenet300.png", "pareto-lenet5.png" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(outDir, png)).Take(4));
    }

    [Fact]
    public void Bad_pareto_arguments_are_one_line_errors()
    {
        string file = CompressedModels.LeNet300.PocketPath;
        Assert.Contains("--out", PocketProcess.AssertOneLineError(PocketProcess.Run("pareto", file), 2));
        string missing = PocketProcess.Temp(".pocket");
        Assert.Contains(missing, PocketProcess.AssertOneLineError(PocketProcess.Run("pareto", file, missing, "--out", PocketProcess.Temp(""))));
        string other = Path.Combine(Directory.CreateTempSubdirectory("pocket-pareto-").FullName, Path.GetFileName(file));
        File.Copy(file, other);
        Assert.Contains("two files are named", PocketProcess.AssertOneLineError(PocketProcess.Run("pareto", file, other, "--out", PocketProcess.Temp("")), 2));
    }
}
