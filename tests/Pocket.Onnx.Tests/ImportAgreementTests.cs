using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx.Tests;

/// <summary>
/// PyTorch-exported models (Fixtures/make_fixtures.py, and the trained CNN of bench/pytorch-mnist), imported and run by Pocket.Runtime, give what ONNX Runtime gives
/// on the original file.
/// </summary>
public sealed class ImportAgreementTests
{
    /// <summary>float32 with different summation orders (and folded BatchNorm / affine ops): a few ulps of the output scale.</summary>
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData("mlp_opset11.onnx", 1, 28, 28, 10)]
    [InlineData("bn_cnn_opset11.onnx", 1, 28, 28, 10)]
    [InlineData("bn_cnn_opset13.onnx", 1, 28, 28, 10)]
    [InlineData("residual_concat_opset13.onnx", 3, 16, 16, 5)]
    [InlineData("residual_concat_opset17.onnx", 3, 16, 16, 5)]
    [InlineData("activations_opset13.onnx", 1, 12, 12, 4)]
    [InlineData("mnist_cnn_opset13.onnx", 1, 28, 28, 10)] // trained weights (bench/pytorch-mnist), BatchNorm folded
    public void Runtime_on_the_imported_file_equals_onnx_runtime_on_the_original(string fixture, int c, int h, int w, int classes)
    {
        string path = ImportFixtures.PathOf(fixture);
        PocketModel imported = OnnxImporter.Import(path);
        // Through the file format, as `pocket import` writes it.
        var network = PocketNetwork.Load(PocketFile.Encode(imported));
        Assert.Equal(new TensorShape(c, h, w), network.InputShape);
        Assert.Equal(classes, network.OutputLength);

        const int batch = 3; // the fixtures' batch axis is symbolic: any batch runs
        float[] input = ImportFixtures.Inputs(batch * c * h * w, seed: fixture.Length);
        float[] expected = ImportFixtures.RunOrt(File.ReadAllBytes(path), input, [batch, c, h, w]);
        var actual = new float[batch * classes];
        network.Predict(input, batch, actual);

        double diff = ImportFixtures.MaxRelativeDifference(actual, expected);
        Assert.True(diff <= Tolerance, $"{fixture}: max relative difference {diff:E2} to ONNX Runtime");
    }

    [Fact]
    public void BatchNorm_and_the_flatten_chain_import_as_pocket_ops()
    {
        PocketModel imported = OnnxImporter.Import(ImportFixtures.PathOf("bn_cnn_opset13.onnx"));
        OpKind[] ops = imported.Graph.Nodes.Select(n => n.Op).ToArray();
        Assert.Equal(2, ops.Count(o => o == OpKind.BatchNorm2d));
        Assert.Contains(OpKind.Relu6, ops);
        // Shape → Gather → Unsqueeze → Concat → Reshape folded into one Flatten.
        Assert.Equal(1, ops.Count(o => o == OpKind.Flatten));
        Assert.Equal(OpKind.Linear, ops[^1]);
    }

    [Fact]
    public void Pads_fold_into_the_conv_and_pool_after_them()
    {
        PocketModel imported = OnnxImporter.Import(ImportFixtures.PathOf("residual_concat_opset13.onnx"));
        GraphNode grouped = imported.Graph.Nodes.Single(n => n.Op == OpKind.Conv2d && n.Attributes[8] == 2);
        Assert.Equal([1, 1], grouped.Attributes[6..8]); // ZeroPad2d(1) + a conv without padding
        GraphNode pool = imported.Graph.Nodes.Single(n => n.Op == OpKind.AvgPool2d);
        Assert.Equal([1, 1], pool.Attributes[4..6]);
        Assert.Contains(imported.Graph.Nodes, n => n.Op == OpKind.Add);
        Assert.Contains(imported.Graph.Nodes, n => n.Op == OpKind.Concat);
    }

    [Fact]
    public void LeakyRelu_and_Sigmoid_import_as_runtime_ops_and_export_back()
    {
        PocketModel imported = OnnxImporter.Import(ImportFixtures.PathOf("activations_opset13.onnx"));
        GraphNode leaky = imported.Graph.Nodes.Single(n => n.Op == OpKind.LeakyRelu);
        Assert.Equal([0.1f], leaky.FloatAttributes);
        Assert.Single(imported.Graph.Nodes, n => n.Op == OpKind.Sigmoid);

        // Pocket → ONNX → ONNX Runtime agrees with Pocket.Runtime on the same imported model.
        var network = PocketNetwork.Load(imported);
        float[] input = ImportFixtures.Inputs(2 * 144, seed: 3);
        var actual = new float[2 * 4];
        network.Predict(input, 2, actual);
        float[] exported = ImportFixtures.RunOrt(OnnxExporter.ToBytes(imported), input, [2, 1, 12, 12]);
        Assert.True(ImportFixtures.MaxRelativeDifference(actual, exported) <= 1e-5);
    }
}
