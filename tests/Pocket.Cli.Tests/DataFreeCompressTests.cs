using System.Text.Json;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Cli.Tests;

/// <summary>
/// `pocket compress --from X.ckpt --no-data`: a smaller file with its fidelity to the original, the same bytes for the
/// same seed, and every flag that would train refused in one line with exit 2.
/// </summary>
public class DataFreeCompressTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string Imported(string extension, params string[] more)
    {
        string path = PocketProcess.Temp(extension);
        var import = PocketProcess.Run(["import", Fixture("mlp_opset11.onnx"), "--out", path, .. more]);
        Assert.True(import.ExitCode == 0, import.Stderr);
        return path;
    }

    [Fact]
    public void No_data_writes_a_smaller_file_reports_its_fidelity_and_repeats_byte_for_byte()
    {
        string ckpt = Imported(".ckpt", "--dataset", "mnist"), dense = Imported(".pocket");
        string first = PocketProcess.Temp(".pocket"), second = PocketProcess.Temp(".pocket");
        var run = PocketProcess.Run("compress", "--from", ckpt, "--no-data", "--fidelity-limit", "400", "--out", first, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("data_free").GetBoolean());
        Assert.Equal(200, root.GetProperty("samples").GetInt32());
        Assert.Equal(200, root.GetProperty("calibration_samples").GetInt32());
        var fidelity = root.GetProperty("fidelity");
        double agreement = fidelity.GetProperty("top1_agreement").GetDouble(), mean = fidelity.GetProperty("mean_cosine").GetDouble();
        Assert.InRange(agreement, 0, 1);
        Assert.InRange(fidelity.GetProperty("min_cosine").GetDouble(), -1, mean);
        Assert.True(root.GetProperty("calibration_fidelity").GetProperty("mean_cosine").GetDouble() >= 0.99);
        Assert.Equal(new FileInfo(first).Length, root.GetProperty("file_bytes").GetInt64());
        Assert.True(new FileInfo(first).Length < new FileInfo(dense).Length, $"{new FileInfo(first).Length} bytes, {new FileInfo(dense).Length} float");
        Assert.InRange(root.GetProperty("accuracy").GetDouble(), 0, 1);

        // The file runs in Pocket.Runtime, with weights stored sparse and codebook-quantized.
        Assert.Equal(10, PocketNetwork.Load(first).OutputLength);
        Assert.Contains(PocketFile.Read(first).Tensors.Values, t => t is SparseQuantizedTensor or QuantizedDenseTensor);

        var again = PocketProcess.Run("compress", "--from", ckpt, "--no-data", "--fidelity-limit", "400", "--out", second);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("top-1 agreement", again.Stdout);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));

        // A lower floor may only buy bytes: never a larger file.
        string loose = PocketProcess.Temp(".pocket");
        var looser = PocketProcess.Run("compress", "--from", ckpt, "--no-data", "--fidelity-limit", "400", "--min-cosine", "0.9", "--out", loose, "--json");
        Assert.True(looser.ExitCode == 0, looser.Stderr);
        Assert.True(new FileInfo(loose).Length <= new FileInfo(first).Length, $"{new FileInfo(loose).Length} bytes at 0.9, {new FileInfo(first).Length} at 0.99");
    }

    [Fact]
    public void Bad_flag_combinations_are_one_line_and_exit_2_and_write_nothing()
    {
        string ckpt = Imported(".ckpt", "--dataset", "mnist"), unnamed = Imported(".ckpt");
        string output = PocketProcess.Temp(".pocket");
        (string[] Args, string Expected)[] cases =
        [
            (["compress", "--from", ckpt, "--no-data", "--retrain-epochs", "1", "--out", output], "--retrain-epochs"),
            (["compress", "--from", ckpt, "--no-data", "--finetune-epochs", "1", "--out", output], "--finetune-epochs"),
            (["compress", "--from", ckpt, "--no-data", "--dataset", "mnist", "--out", output], "--fidelity-dataset"),
            (["compress", "--from", ckpt, "--no-data", "--resume", "--out", output], "--resume"),
            (["compress", "--from", ckpt, "--no-data", "--shift", "2", "--out", output], "--shift"),
            (["compress", "--no-data", "--out", output], "--from"),
            (["compress", "--from", ckpt, "--min-cosine", "0.9", "--out", output], "only with --no-data"),
            (["compress", "--from", ckpt, "--fidelity-limit", "100", "--out", output], "only with --no-data"),
            (["compress", "--from", ckpt, "--no-data", "--min-cosine", "1.5", "--out", output], "--min-cosine"),
            (["compress", "--from", ckpt, "--no-data", "--fidelity-limit", "1", "--out", output], "--fidelity-limit"),
            (["compress", "--from", ckpt, "--no-data", "--keep", "nosuch=0.5", "--out", output], "nosuch"),
            (["compress", "--from", ckpt, "--no-data", "--bits", "nosuch=4", "--out", output], "nosuch"),
            (["compress", "--from", unnamed, "--no-data", "--out", output], "--fidelity-dataset"),
        ];
        foreach (var (args, expected) in cases)
            Assert.Contains(expected, PocketProcess.AssertOneLineError(PocketProcess.Run(args), 2));
        Assert.False(File.Exists(output));

        // A model the images do not fit is bad input (exit 1): the bundled images are 28×28, this block takes 3×16×16.
        string small = PocketProcess.Temp(".ckpt");
        Assert.Equal(0, PocketProcess.Run("import", Fixture("residual_concat_opset13.onnx"), "--out", small).ExitCode);
        Assert.Contains("smaller", PocketProcess.AssertOneLineError(PocketProcess.Run("compress", "--from", small, "--no-data",
            "--fidelity-dataset", "mnist", "--out", output), 1));
    }
}
