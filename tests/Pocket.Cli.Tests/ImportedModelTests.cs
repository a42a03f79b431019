using System.Text.Json;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Cli.Tests;

/// <summary>
/// A model trained elsewhere, end to end: `pocket import M.onnx --out M.ckpt` and then the commands that take a
/// checkpoint, on the committed PyTorch fixtures (tests/Pocket.Onnx.Tests/Fixtures).
/// </summary>
public class ImportedModelTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The MNIST-shaped MLP (Flatten, Gemm, Relu, Dropout; 1×28×28 → 10) as a checkpoint naming mnist.</summary>
    private static string ImportedMlp(string? dataset = "mnist", params string[] more)
    {
        string ckpt = PocketProcess.Temp(".ckpt");
        string[] args = dataset is null
            ? ["import", Fixture("mlp_opset11.onnx"), "--out", ckpt, .. more]
            : ["import", Fixture("mlp_opset11.onnx"), "--out", ckpt, "--dataset", dataset, .. more];
        var import = PocketProcess.Run(args);
        Assert.True(import.ExitCode == 0, import.Stderr);
        return ckpt;
    }

    [Fact]
    public void Compress_from_an_imported_checkpoint_writes_a_smaller_file_that_the_runtime_runs()
    {
        string labels = PocketProcess.Temp(".txt");
        string[] names = Enumerable.Range(0, 10).Select(i => $"digit {i}").ToArray();
        File.WriteAllLines(labels, names);
        string ckpt = ImportedMlp("mnist", "--labels", labels);
        string dense = PocketProcess.Temp(".pocket"), compressed = PocketProcess.Temp(".pocket");
        Assert.Equal(0, PocketProcess.Run("import", Fixture("mlp_opset11.onnx"), "--out", dense, "--dataset", "mnist").ExitCode);
        // A float .pocket file imported with --dataset names it too: run needs no --dataset.
        var runDense = PocketProcess.Run("run", dense, "--json");
        Assert.True(runDense.ExitCode == 0, runDense.Stderr);
        using (var d = JsonDocument.Parse(runDense.Stdout)) Assert.Equal("mnist", d.RootElement.GetProperty("dataset").GetString());

        var compress = PocketProcess.Run("compress", "--from", ckpt, "--limit", "512", "--rounds", "1", "--retrain-epochs", "1",
            "--finetune-epochs", "1", "--out", compressed, "--json");
        Assert.True(compress.ExitCode == 0, compress.Stderr);
        using var c = JsonDocument.Parse(compress.Stdout);
        Assert.Equal("mnist", c.RootElement.GetProperty("dataset").GetString());

        // Pocket.Runtime loads the file and computes the same accuracy compress measured on it with TorchSharp.
        var network = PocketNetwork.Load(compressed);
        Assert.Equal(10, network.OutputLength);
        Assert.Equal(new TensorShape(1, 28, 28), network.InputShape);
        Assert.True(new FileInfo(compressed).Length < new FileInfo(dense).Length,
            $"{new FileInfo(compressed).Length} bytes compressed, {new FileInfo(dense).Length} float");
        var run = PocketProcess.Run("run", compressed, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var r = JsonDocument.Parse(run.Stdout);
        Assert.Equal(10000, r.RootElement.GetProperty("samples").GetInt32());
        Assert.Equal(c.RootElement.GetProperty("accuracy").GetDouble(), r.RootElement.GetProperty("accuracy").GetDouble(), 3);
        // The compressed weights are the imported layers', under their ONNX names.
        var file = PocketFile.Read(compressed);
        var original = PocketFile.Read(dense);
        Assert.Equal(original.Graph.Nodes.Select(n => n.Name), file.Graph.Nodes.Select(n => n.Name));
        Assert.All(file.Graph.Nodes.Where(n => n.Op == OpKind.Linear), n => Assert.IsType<SparseQuantizedTensor>(file.Tensors[n.Tensors[0]]));
        // The model's own class names, given at import, win over the dataset's.
        Assert.Equal(names, ModelMetadata.ReadLabels(file.Metadata));
    }

    [Fact]
    public void Eval_prune_quantize_encode_and_export_onnx_take_an_imported_checkpoint()
    {
        string ckpt = ImportedMlp();
        string pruned = PocketProcess.Temp(".ckpt"), quantized = PocketProcess.Temp(".ckpt"), encoded = PocketProcess.Temp(".pocket");
        string onnx = PocketProcess.Temp(".onnx");

        var eval = PocketProcess.Run("eval", ckpt, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var e = JsonDocument.Parse(eval.Stdout)) Assert.Equal(10000, e.RootElement.GetProperty("samples").GetInt32());

        var prune = PocketProcess.Run("prune", ckpt, "--out", pruned, "--keep", "0.3", "--rounds", "1", "--epochs", "1", "--limit", "256", "--json");
        Assert.True(prune.ExitCode == 0, prune.Stderr);
        using (var p = JsonDocument.Parse(prune.Stdout)) Assert.Equal(0.3, p.RootElement.GetProperty("kept").GetDouble(), 2);
        var quantize = PocketProcess.Run("quantize", pruned, "--out", quantized, "--bits", "4", "--epochs", "1", "--limit", "256");
        Assert.True(quantize.ExitCode == 0, quantize.Stderr);
        Assert.Equal(0, PocketProcess.Run("encode", quantized, "--out", encoded).ExitCode);
        var file = PocketFile.Read(encoded);
        Assert.All(file.Graph.Nodes.Where(n => n.Op == OpKind.Linear),
            n => Assert.True(((SparseQuantizedTensor)file.Tensors[n.Tensors[0]]).Codebook.Length <= 16));
        Assert.Equal(0, PocketProcess.Run("run", encoded).ExitCode);

        var export = PocketProcess.Run("export-onnx", ckpt, "--out", onnx);
        Assert.True(export.ExitCode == 0, export.Stderr);
        // The exported file imports again to the same network: same outputs in Pocket.Runtime.
        string again = PocketProcess.Temp(".pocket"), dense = PocketProcess.Temp(".pocket");
        Assert.Equal(0, PocketProcess.Run("import", onnx, "--out", again).ExitCode);
        Assert.Equal(0, PocketProcess.Run("import", Fixture("mlp_opset11.onnx"), "--out", dense).ExitCode);
        float[] input = Enumerable.Range(0, 784).Select(i => (i % 29) / 29f).ToArray();
        float[] expected = PocketNetwork.Load(dense).Predict(input), actual = PocketNetwork.Load(again).Predict(input);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
    }

    [Fact]
    public void Without_a_dataset_the_commands_that_need_data_say_so_in_one_line_and_exit_2()
    {
        string ckpt = ImportedMlp(dataset: null);
        string output = PocketProcess.Temp(".ckpt"), pocket = PocketProcess.Temp(".pocket");
        string[][] commands =
        [
            ["eval", ckpt],
            ["prune", ckpt, "--out", output, "--keep", "0.5"],
            ["quantize", ckpt, "--out", output, "--bits", "4"],
            ["compress", "--from", ckpt, "--out", pocket],
            ["sensitivity", ckpt],
        ];
        foreach (string[] command in commands)
            Assert.Contains("--dataset", PocketProcess.AssertOneLineError(PocketProcess.Run(command), 2));
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(pocket));

        // Encoding needs no data, and the file it writes needs --dataset to be run.
        Assert.Equal(0, PocketProcess.Run("encode", ckpt, "--out", pocket).ExitCode);
        Assert.Contains("--dataset", PocketProcess.AssertOneLineError(PocketProcess.Run("run", pocket), 2));
        var run = PocketProcess.Run("run", pocket, "--dataset", "mnist", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // eval decodes the file as a graph (a model outside the zoo) and gets the runtime's accuracy.
        Assert.Contains("--dataset", PocketProcess.AssertOneLineError(PocketProcess.Run("eval", pocket), 2));
        var eval = PocketProcess.Run("eval", pocket, "--dataset", "mnist", "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var r = JsonDocument.Parse(run.Stdout))
        using (var e = JsonDocument.Parse(eval.Stdout))
            Assert.Equal(r.RootElement.GetProperty("accuracy").GetDouble(), e.RootElement.GetProperty("accuracy").GetDouble(), 3);
        Assert.Equal(0, PocketProcess.Run("eval", ckpt, "--dataset", "fashion-mnist").ExitCode);
    }

    [Fact]
    public void A_dataset_the_model_does_not_fit_is_refused_at_import_in_one_line()
    {
        string ckpt = PocketProcess.Temp(".ckpt");
        // 3×16×16 input, 5 classes: MNIST's 28×28 images do not fit.
        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", Fixture("residual_concat_opset13.onnx"), "--out", ckpt, "--dataset", "mnist"));
        Assert.Contains("--dataset mnist", line);
        Assert.False(File.Exists(ckpt));
        Assert.Contains("unknown dataset", PocketProcess.AssertOneLineError(PocketProcess.Run("eval", ImportedMlp(dataset: null), "--dataset", "/nonexistent/idx")));
    }

    [Fact]
    public void A_checkpoint_whose_graph_is_truncated_is_one_line_and_a_non_zero_exit()
    {
        byte[] bytes = File.ReadAllBytes(ImportedMlp());
        var header = CheckpointHeader.Read(bytes);
        var graph = header["graph"]!.AsArray();
        graph.RemoveAt(graph.Count - 1); // the graph stops before its last layer
        byte[] damaged = CheckpointHeader.With(bytes, header);
        string path = PocketProcess.Temp(".ckpt");
        File.WriteAllBytes(path, damaged);
        string output = PocketProcess.Temp(".pocket");

        foreach (string[] command in new[] { new[] { "eval", path }, ["encode", path, "--out", output], ["export-onnx", path, "--out", output],
                     ["prune", path, "--out", output, "--keep", "0.5"] })
            Assert.Contains(Path.GetFileName(path), PocketProcess.AssertOneLineError(PocketProcess.Run(command)));
        Assert.False(File.Exists(output));
    }
}
