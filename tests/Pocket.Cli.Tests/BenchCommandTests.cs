using System.Text.Json;

namespace Pocket.Cli.Tests;

/// <summary>`pocket bench`: Pocket.Runtime against ONNX Runtime on the same model; --layers adds per-layer times.</summary>
public class BenchCommandTests
{
    [Fact]
    public void Layers_lists_every_executed_layer_with_its_time_and_threads_change_no_logit()
    {
        var r = PocketProcess.Run("bench", "--model", "lenet5", "--runs", "5", "--batch", "1", "--threads", "2", "--layers", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.True(root.GetProperty("pocket_ms").GetDouble() > 0);
        Assert.True(root.GetProperty("max_abs_diff").GetDouble() < 1e-4);
        // With threads, both runtimes are also timed at one thread, and the speed-ups are those ratios.
        JsonElement batch1 = root.GetProperty("batches")[0];
        double speedup = batch1.GetProperty("pocket_thread_speedup").GetDouble();
        // The speed-up is rounded to 3 decimals and the times to 5, so the two agree to 0.0005 plus the times' rounding;
        // comparing at "2 decimal places" would fail whenever the value sits next to a rounding edge (0.8948 vs 0.895).
        double fromTimes = batch1.GetProperty("pocket_one_thread_ms").GetDouble() / batch1.GetProperty("pocket_ms").GetDouble();
        Assert.True(Math.Abs(fromTimes - speedup) <= 0.0005 + 1e-3 * fromTimes, $"speed-up {speedup} but the times give {fromTimes}");
        Assert.True(batch1.GetProperty("ort_thread_speedup").GetDouble() > 0);
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        // LeNet-5 runs as conv1, pool1, conv2, pool2, fc1(+relu), fc2 at least; each named and timed.
        Assert.True(layers.Count >= 6, $"{layers.Count} layers");
        Assert.Contains(layers, l => l.GetProperty("name").GetString()!.StartsWith("conv1"));
        Assert.All(layers, l => Assert.True(l.GetProperty("ms").GetDouble() >= 0));
        Assert.All(layers, l => Assert.False(string.IsNullOrEmpty(l.GetProperty("kernel").GetString())));
    }

    [Fact]
    public void Layers_batch_times_the_layers_on_a_tile_of_that_many_samples()
    {
        var r = PocketProcess.Run("bench", "--model", "lenet5", "--runs", "5", "--batch", "1", "--layers", "--layers-batch", "4", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(4, doc.RootElement.GetProperty("layers_batch").GetInt32());
        Assert.True(doc.RootElement.GetProperty("layers").GetArrayLength() >= 6);

        using var plain = JsonDocument.Parse(PocketProcess.Run("bench", "--model", "lenet5", "--runs", "3", "--batch", "1", "--layers", "--json").Stdout);
        Assert.Equal(1, plain.RootElement.GetProperty("layers_batch").GetInt32());
    }

    [Theory]
    [InlineData("0", true, "not a positive number")]
    [InlineData("9", true, "tile")]       // the runtime runs 8 samples at a time; a larger tile cannot be timed
    [InlineData("2", false, "needs --layers")]
    public void Layers_batch_out_of_range_or_without_layers_is_a_usage_error(string value, bool layers, string message)
    {
        string[] args = ["bench", "--model", "lenet5", "--runs", "3", "--layers-batch", value, .. layers ? new[] { "--layers" } : []];
        string line = PocketProcess.AssertOneLineError(PocketProcess.Run(args), exitCode: 2);
        Assert.Contains("--layers-batch", line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void Ort_profile_lists_onnx_runtimes_nodes_and_writes_its_raw_profile()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-ort-profile-").FullName;
        string file = Path.Combine(folder, "ort.json");
        var r = PocketProcess.Run("bench", "--model", "lenet5", "--runs", "5", "--batch", "1", "--ort-profile", file, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var nodes = doc.RootElement.GetProperty("ort_nodes").EnumerateArray().ToList();
        // LeNet-5's two convolutions and its fc layers, as ORT ran them (names of its optimised graph).
        Assert.True(nodes.Count(n => n.GetProperty("op").GetString() == "Conv") == 2, string.Join(", ", nodes.Select(n => n.GetProperty("op").GetString())));
        Assert.Contains(nodes, n => n.GetProperty("name").GetString()!.Contains("fc2"));
        Assert.All(nodes, n => Assert.True(n.GetProperty("ms").GetDouble() >= 0));
        // The raw profile: ORT's trace events, one kernel-time event per node and run at least.
        using var profile = JsonDocument.Parse(File.ReadAllBytes(file));
        int kernelEvents = profile.RootElement.EnumerateArray().Count(e => e.TryGetProperty("name", out var n) && n.GetString()!.EndsWith("_kernel_time"));
        Assert.True(kernelEvents >= 5 * nodes.Count, $"{kernelEvents} kernel events for {nodes.Count} nodes");
        Assert.Single(Directory.GetFiles(folder)); // no temporary file left beside it
    }

    [Fact]
    public void Ort_profile_into_a_missing_folder_fails_before_any_timing()
    {
        string file = Path.Combine(Path.GetTempPath(), $"pocket-no-such-folder-{Guid.NewGuid():N}", "ort.json");
        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("bench", "--model", "lenet5", "--runs", "3", "--ort-profile", file), exitCode: 1);
        Assert.Contains("ort.json", line);
        Assert.Contains("does not exist", line);
    }
}
