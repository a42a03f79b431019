using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.Imported;

/// <summary>
/// GraphModule runs an imported graph as Pocket.Runtime does, keeps the graph and its tensor names through a checkpoint,
/// and trains the way the zoo's modules do.
/// </summary>
[Collection(TorchRandomness.Collection)]
public class GraphModuleTests
{
    private const double Tolerance = 1e-5;
    private const int Batch = 3;

    [Theory]
    [MemberData(nameof(ImportedFixtures.All), MemberType = typeof(ImportedFixtures))]
    public void Forward_equals_the_runtime_within_1e_5_relative_with_float64_as_the_reference(string fixture)
    {
        // libtorch's float32 conv takes the path Pocket checked (oneDNN is wrong on some CPUs); float64 is the reference
        // both float32 implementations are held to.
        TorchBackend.Ensure();
        PocketModel model = ImportedFixtures.Import(fixture);
        var network = PocketNetwork.Load(model);
        // Pixels in [0, 1) for the first sample, scaled up for the others so that ReLU6 clips and Sigmoid saturates somewhere.
        float[] input = ImportedFixtures.Inputs(Batch * network.InputLength, seed: fixture.Length)
            .Select((v, i) => v * (1 + 20 * (i / network.InputLength))).ToArray();
        var runtime = new float[Batch * network.OutputLength];
        network.Predict(input, Batch, runtime);

        using var module = ModuleState.Restore(ImportedCheckpoint.From(model, fixture, ""));
        Assert.IsType<GraphModule>(module);
        module.eval();
        using var _ = no_grad();
        InputShape shape = module.InputShape;
        using var x = tensor(input, [Batch, shape.Channels, shape.Height, shape.Width]);
        using var y32 = module.forward(x);
        double[] float32 = y32.data<float>().ToArray().Select(v => (double)v).ToArray();
        module.to(ScalarType.Float64);
        using var x64 = x.to_type(ScalarType.Float64);
        using var y64 = module.forward(x64);
        double[] float64 = y64.data<double>().ToArray();

        Assert.Equal([Batch, network.OutputLength], y32.shape);
        Assert.True(float64.Max(Math.Abs) > 0, "the reference output is all zeros");
        double runtimeError = ImportedFixtures.MaxRelativeDifference(runtime.Select(v => (double)v).ToArray(), float64);
        double torchError = ImportedFixtures.MaxRelativeDifference(float32, float64);
        Assert.True(runtimeError <= Tolerance, $"Pocket.Runtime vs GraphModule in float64: {runtimeError:E2}");
        Assert.True(torchError <= Tolerance, $"GraphModule in float32 vs float64: {torchError:E2}");
    }

    [Theory]
    [MemberData(nameof(ImportedFixtures.All), MemberType = typeof(ImportedFixtures))]
    public void Import_checkpoint_module_export_gives_back_the_imported_graph_and_tensors(string fixture)
    {
        PocketModel imported = ImportedFixtures.Import(fixture);
        string path = TestData.TempFile(".ckpt");
        ImportedCheckpoint.From(imported, fixture, "").Save(path);
        Checkpoint loaded = Checkpoint.Load(path);
        File.Delete(path);

        using var module = ModuleState.Restore(loaded, path);
        AssertSameGraph(imported.Graph, module.ExportGraph());
        AssertSameGraph(imported.Graph, loaded.Graph!);
        // Every graph tensor is a state_dict entry under its own name, holding the imported values, and nothing else is.
        var state = module.state_dict();
        Assert.Equal(imported.Tensors.Keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in imported.Tensors)
        {
            Assert.Equal(tensor.Shape.Select(d => (long)d), state[name].shape);
            Assert.Equal(tensor.ToDense(), state[name].data<float>().ToArray());
        }
        // Compression works on every conv and fc weight, in graph order.
        var weights = imported.Graph.Nodes.Where(n => n.Op is OpKind.Conv2d or OpKind.Linear).Select(n => n.Tensors[0]).ToList();
        Assert.NotEmpty(weights);
        Assert.Equal(weights, module.CompressibleWeights().Select(w => w.Name));
        // And the encoder writes the same graph again.
        AssertSameGraph(imported.Graph, PocketEncoder.Encode(loaded).Graph);
    }

    [Fact]
    public void Training_uses_batch_statistics_except_for_constant_scalings_and_skips_a_final_softmax()
    {
        // residual_concat: (x − 0.5) / 0.25 at the input is a BatchNorm2d with eps 0; bn_a and bn_b are real BatchNorms;
        // the graph ends in Softmax.
        PocketModel model = ImportedFixtures.Import("residual_concat_opset13.onnx");
        var batchNorms = model.Graph.Nodes.Where(n => n.Op == OpKind.BatchNorm2d).ToList();
        var constant = batchNorms.Where(n => n.FloatAttributes[0] == 0f).ToList();
        var real = batchNorms.Where(n => n.FloatAttributes[0] > 0f).ToList();
        Assert.NotEmpty(constant);
        Assert.NotEmpty(real);
        Assert.Equal(OpKind.Softmax, model.Graph.Nodes[^1].Op);

        using var module = ModuleState.Restore(ImportedCheckpoint.From(model, "residual_concat_opset13.onnx", ""));
        var parameters = module.named_parameters().Select(p => p.name).ToHashSet();
        foreach (GraphNode n in constant) Assert.DoesNotContain(n.Tensors[0], parameters);
        foreach (GraphNode n in real) Assert.Contains(n.Tensors[0], parameters);

        InputShape shape = module.InputShape;
        using var x = rand(8, shape.Channels, shape.Height, shape.Width);
        module.train();
        using (var logits = module.forward(x))
        using (var sums = logits.sum(1))
            Assert.True((sums - 1).abs().max().item<float>() > 1e-3, "training output is still a softmax");
        var state = module.state_dict();
        foreach (GraphNode n in real)
            Assert.NotEqual(model.Tensors[n.Tensors[2]].ToDense(), state[n.Tensors[2]].data<float>().ToArray());
        foreach (GraphNode n in constant)
            Assert.Equal(model.Tensors[n.Tensors[2]].ToDense(), state[n.Tensors[2]].data<float>().ToArray());

        module.eval();
        using var _ = no_grad();
        using var probabilities = module.forward(x);
        using var total = probabilities.sum(1);
        Assert.True((total - 1).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Pruning_and_quantization_of_an_imported_cnn_keep_its_graph_and_its_file_runs()
    {
        // The CNN with BatchNorm, retrained on a slice of MNIST: masks and codebooks land on the imported names.
        var data = TestData.MnistSlice(256, 100);
        Checkpoint start = ImportedFixtures.Checkpoint("bn_cnn_opset13.onnx", "mnist");
        var retrain = TrainingRecipes.Retraining(GraphModule.ImportedModelName) with { Epochs = 1, EvaluateEachEpoch = false };
        var pruned = PruningRun.Run(start, data, new PruningOptions { Rule = PruningRule.ParseKeep("conv=0.5,fc=0.3"), Rounds = 1, Retrain = retrain });
        var quantized = QuantizationRun.Run(pruned.Checkpoint, data,
            new QuantizationOptions { Bits = BitWidths.Parse("conv=4,fc=3"), FineTune = retrain with { WeightDecay = 0 } });

        AssertSameGraph(start.Graph!, quantized.Checkpoint.Graph!);
        var weights = start.Graph!.Nodes.Where(n => n.Op is OpKind.Conv2d or OpKind.Linear).Select(n => n.Tensors[0]).Order(StringComparer.Ordinal);
        Assert.Equal(weights, quantized.Checkpoint.Masks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(weights, quantized.Checkpoint.Quantization.Keys.Order(StringComparer.Ordinal));

        byte[] file = PocketFile.Encode(PocketEncoder.Encode(quantized.Checkpoint));
        var network = PocketNetwork.Load(file);
        Assert.Equal(start.Classes, network.OutputLength);
        var decoded = PocketDecoder.ToCheckpoint(PocketFile.Decode(file, "bn_cnn.pocket"), "bn_cnn.pocket");
        Assert.NotNull(decoded.Graph);
        using var module = ModuleState.Restore(decoded);
        var evaluation = Evaluator.Evaluate(module, data.Test, decoded.Input);
        Assert.Equal(quantized.Test.Predictions, evaluation.Predictions); // the file holds exactly the quantized weights
    }

    private static void AssertSameGraph(ModelGraph expected, ModelGraph actual)
    {
        Assert.Equal(expected.Nodes.Count, actual.Nodes.Count);
        for (int i = 0; i < expected.Nodes.Count; i++)
        {
            GraphNode e = expected.Nodes[i], a = actual.Nodes[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Op, a.Op);
            Assert.Equal(e.Inputs, a.Inputs);
            Assert.Equal(e.Attributes, a.Attributes);
            Assert.Equal(e.FloatAttributes, a.FloatAttributes);
            Assert.Equal(e.Tensors, a.Tensors);
        }
    }
}
