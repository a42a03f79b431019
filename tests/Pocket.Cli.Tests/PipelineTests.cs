using System.Text.Json;

namespace Pocket.Cli.Tests;

/// <summary>The commands chained as a user would: train → eval → compress → inspect → run, on small slices.</summary>
public class PipelineTests
{
    [Fact]
    public void Train_then_eval_json_prints_exactly_one_object()
    {
        string ckpt = PocketProcess.Temp(".ckpt");
        var train = PocketProcess.Run("train", "--model", "lenet300", "--epochs", "3", "--limit", "2000", "--out", ckpt, "--json");
        Assert.Equal(0, train.ExitCode);
        var eval = PocketProcess.Run("eval", ckpt, "--json");
        Assert.Equal(0, eval.ExitCode);
        var lines = eval.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        var root = doc.RootElement;
        Assert.Equal(["model", "dataset", "samples", "accuracy", "error"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lenet300", root.GetProperty("model").GetString());
        Assert.Equal("mnist", root.GetProperty("dataset").GetString());
        Assert.Equal(10000, root.GetProperty("samples").GetInt32());
        double accuracy = root.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.7, 1.0);
        Assert.Equal(1 - accuracy, root.GetProperty("error").GetDouble(), 5);
    }

    [Fact]
    public void Encode_re_encodes_a_pocket_file_losslessly_and_the_default_is_never_bigger()
    {
        string source = CompressedModels.LeNet300.PocketPath;
        string huffman = PocketProcess.Temp(".pocket"), smallest = PocketProcess.Temp(".pocket"), biases = PocketProcess.Temp(".pocket");
        Assert.Equal(0, PocketProcess.Run("encode", source, "--coding", "huffman", "--out", huffman).ExitCode);
        Assert.Equal(0, PocketProcess.Run("encode", source, "--out", smallest).ExitCode);
        Assert.Equal(0, PocketProcess.Run("encode", source, "--bias-bits", "4", "--out", biases).ExitCode);
        Assert.True(new FileInfo(smallest).Length <= new FileInfo(huffman).Length);
        Assert.True(new FileInfo(biases).Length < new FileInfo(smallest).Length);
        var original = Pocket.Format.PocketFile.Read(source);
        foreach (string file in new[] { huffman, smallest })
        {
            var again = Pocket.Format.PocketFile.Read(file);
            foreach (var (name, t) in original.Tensors) Assert.Equal(t.ToDense(), again.Tensors[name].ToDense());
        }
        Assert.IsType<Pocket.Format.QuantizedDenseTensor>(Pocket.Format.PocketFile.Read(biases).Tensors["fc1.bias"]);
        Assert.Contains("--bias-bits", PocketProcess.AssertOneLineError(PocketProcess.Run("encode", source, "--bias-bits", "0", "--out", biases), 2));
        Assert.Contains("--coding", PocketProcess.AssertOneLineError(PocketProcess.Run("encode", source, "--coding", "lzma", "--out", biases), 2));
    }

    [Fact]
    public void Compress_writes_a_file_that_inspect_eval_and_run_agree_on()
    {
        string model = PocketProcess.Temp(".pocket");
        var compress = PocketProcess.Run("compress", "--model", "lenet300", "--epochs", "1", "--limit", "2000", "--rounds", "1",
            "--retrain-epochs", "1", "--finetune-epochs", "1", "--out", model, "--json");
        Assert.True(compress.ExitCode == 0, compress.Stderr);
        using var c = JsonDocument.Parse(compress.Stdout);
        long fileBytes = c.RootElement.GetProperty("file_bytes").GetInt64();
        Assert.Equal(new FileInfo(model).Length, fileBytes);
        Assert.Equal(1_066_440, c.RootElement.GetProperty("dense_bytes").GetInt64());
        Assert.True(c.RootElement.GetProperty("ratio").GetDouble() > 20);

        var inspect = PocketProcess.Run("inspect", model, "--json");
        Assert.Equal(0, inspect.ExitCode);
        using var i = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(fileBytes, i.RootElement.GetProperty("file_bytes").GetInt64());
        var fc1 = i.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "fc1.weight");
        foreach (var key in new[] { "weights", "kept", "weight_bits_pq", "weight_bits_pqh", "index_bits_pq", "index_bits_pqh", "encoding" })
            Assert.True(fc1.TryGetProperty(key, out _), key);
        // The recipe's kept fraction for fc1, as the file records it.
        var recipeKeep = ((Pocket.Training.Compression.PruningRule.PerLayer)Pocket.Training.Compression.CompressionRecipe.For("lenet300").Pruning.Rule).KeepFor("fc1", 2);
        Assert.Equal(recipeKeep!.Value, fc1.GetProperty("kept").GetDouble(), 3);

        var eval = PocketProcess.Run("eval", model, "--json");
        var run = PocketProcess.Run("run", model, "--json");
        Assert.Equal(0, eval.ExitCode);
        Assert.Equal(0, run.ExitCode);
        using var e = JsonDocument.Parse(eval.Stdout);
        using var r = JsonDocument.Parse(run.Stdout);
        Assert.Equal(c.RootElement.GetProperty("accuracy").GetDouble(), e.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal(e.RootElement.GetProperty("accuracy").GetDouble(), r.RootElement.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void An_existing_output_survives_a_failed_run()
    {
        string ckpt = PocketProcess.Temp(".ckpt");
        File.WriteAllText(ckpt, "keep me");
        var r = PocketProcess.Run("train", "--dataset", "/nonexistent", "--out", ckpt);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("keep me", File.ReadAllText(ckpt));
    }
}
