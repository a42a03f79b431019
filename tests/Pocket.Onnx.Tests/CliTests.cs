using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Pocket.Format;

namespace Pocket.Onnx.Tests;

/// <summary>`pocket predict`, `pocket export-onnx` and `pocket bench` as a user runs them.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pocket-onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteModel(PocketModel model, string name)
    {
        string path = Path.Combine(_dir, name);
        PocketFile.Write(path, model);
        return path;
    }

    [Fact]
    public void Predict_prints_five_classes_with_probabilities()
    {
        string model = WriteModel(TestModels.LeNet5(), "lenet5.pocket");
        string png = Path.Combine(_dir, "seven.png");
        DigitImage.WritePng(png);

        var r = PocketProcess.Run("predict", model, png, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        JsonElement top = json.RootElement.GetProperty("top");
        Assert.Equal(5, top.GetArrayLength());
        double[] p = top.EnumerateArray().Select(t => t.GetProperty("probability").GetDouble()).ToArray();
        Assert.All(p, v => Assert.InRange(v, 0, 1));
        Assert.True(p.Sum() <= 1 + 1e-5, $"probabilities sum to {p.Sum()}");
        Assert.Equal(p.OrderByDescending(v => v), p);
        // Dark strokes on light paper, for an MNIST model: inverted to white-on-black.
        Assert.True(json.RootElement.GetProperty("inverted").GetBoolean());
        Assert.Contains("inverted", json.RootElement.GetProperty("preprocessing").GetString());
    }

    [Fact]
    public void Predict_text_output_lists_the_classes()
    {
        string model = WriteModel(TestModels.LeNet300(), "lenet300.pocket");
        string png = Path.Combine(_dir, "seven.png");
        DigitImage.WritePng(png, size: 28);

        var r = PocketProcess.Run("predict", model, png, "--invert", "no");

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("not inverted (--invert no)", r.Stdout);
        Assert.Contains("probability", r.Stdout);
    }

    [Fact]
    public void Predict_rejects_a_file_that_is_not_an_image()
    {
        string model = WriteModel(TestModels.LeNet300(), "lenet300.pocket");
        string bad = Path.Combine(_dir, "not-an-image.png");
        File.WriteAllText(bad, "this is text, not a PNG");

        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("predict", model, bad), exitCode: null);
        Assert.Contains("not-an-image.png", line);
    }

    [Fact]
    public void Export_onnx_writes_a_file_onnx_runtime_loads()
    {
        string model = WriteModel(TestModels.ConvZoo(), "zoo.pocket");
        string onnx = Path.Combine(_dir, "zoo.onnx");

        var r = PocketProcess.Run("export-onnx", model, "--out", onnx, "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(new FileInfo(onnx).Length, json.RootElement.GetProperty("bytes").GetInt64());
        using var session = new InferenceSession(onnx);
        Assert.Equal("logits", Assert.Single(session.OutputMetadata).Key);
    }

    [Fact]
    public void Export_onnx_without_out_is_a_usage_error()
    {
        string model = WriteModel(TestModels.LeNet300(), "lenet300.pocket");
        var r = PocketProcess.Run("export-onnx", model);
        Assert.Equal(2, r.ExitCode);
        PocketProcess.AssertOneLineError(r, exitCode: null);
    }

    [Fact]
    public void Bench_reports_both_runtimes_and_their_ratio()
    {
        string model = WriteModel(TestModels.LeNet300(), "lenet300.pocket");

        var r = PocketProcess.Run("bench", model, "--runs", "5", "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        double pocket = json.RootElement.GetProperty("pocket_ms").GetDouble(), ort = json.RootElement.GetProperty("ort_ms").GetDouble();
        Assert.True(pocket > 0 && ort > 0);
        // The printed times are rounded to 10 ns, so on a sub-0.1 ms model their quotient matches the ratio to about 1 %.
        double ratio = json.RootElement.GetProperty("ratio").GetDouble();
        Assert.True(Math.Abs(pocket / ort - ratio) <= 0.01 * ratio + 0.001, $"ratio {ratio}, times {pocket} / {ort} = {pocket / ort}");
        Assert.True(json.RootElement.GetProperty("max_abs_diff").GetDouble() < 1e-3);
    }

    [Fact]
    public void Bench_times_a_zoo_model_with_random_weights_at_any_input()
    {
        var r = PocketProcess.Run("bench", "--model", "mobilenet_v1", "--option", "alpha=0.25", "--input", "3x40x40",
            "--classes", "7", "--batch", "1", "--batch", "3", "--runs", "3", "--json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal("3x40x40", json.RootElement.GetProperty("input").GetString());
        var batches = json.RootElement.GetProperty("batches").EnumerateArray().Select(b => b.GetProperty("batch").GetInt32()).ToArray();
        Assert.Equal([1, 3], batches);
        Assert.True(json.RootElement.GetProperty("max_abs_diff").GetDouble() < 1e-3);
    }

    [Fact]
    public void Bench_refuses_zoo_options_with_a_file()
    {
        string model = WriteModel(TestModels.LeNet300(), "lenet300.pocket");

        var r = PocketProcess.Run("bench", model, "--input", "1x28x28");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--input", r.Stderr);
    }
}
