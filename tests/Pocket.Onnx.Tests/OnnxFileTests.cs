using Microsoft.ML.OnnxRuntime;
using Pocket.Format;

namespace Pocket.Onnx.Tests;

/// <summary>The written file: loads in ONNX Runtime with the promised names, shapes and opset; atomic writes; errors.</summary>
public class OnnxFileTests
{
    [Fact]
    public void Exported_file_loads_in_onnx_runtime_with_a_symbolic_batch()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pocket-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExportSummary summary = OnnxExporter.Export(TestModels.LeNet5(), path);
            Assert.Equal(OnnxExporter.Opset, summary.Opset);
            Assert.True(summary.IrVersion >= 7);
            // conv1 20·1·5·5+20, conv2 50·20·5·5+50, fc1 500·800+500, fc2 10·500+10 floats.
            Assert.Equal(4L * (520 + 25_050 + 400_500 + 5_010), summary.InitializerBytes);

            using var session = new InferenceSession(path);
            var input = Assert.Single(session.InputMetadata);
            Assert.Equal("input", input.Key);
            Assert.Equal([-1, 1, 28, 28], input.Value.Dimensions);
            Assert.Equal("N", input.Value.SymbolicDimensions[0]);
            var output = Assert.Single(session.OutputMetadata);
            Assert.Equal("logits", output.Key);
            Assert.Equal([-1, 10], output.Value.Dimensions);
            Assert.Equal("mnist", session.ModelMetadata.CustomMetadataMap["dataset"]);
            Assert.Equal("pocket", session.ModelMetadata.ProducerName);
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}.*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Failed_export_leaves_the_previous_file_and_no_temporary()
    {
        string dir = Directory.CreateTempSubdirectory("pocket-onnx-").FullName;
        string path = Path.Combine(dir, "model.onnx");
        try
        {
            File.WriteAllText(path, "previous");
            PocketModel broken = TestModels.LeNet300() with { Tensors = new Dictionary<string, PocketTensor>() };
            var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(broken, path));
            Assert.Contains("fc1", e.Message);
            Assert.Equal("previous", File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_unmappable_op_names_the_node()
    {
        var model = TestModels.LeNet300();
        var nodes = model.Graph.Nodes.ToList();
        nodes[2] = nodes[2] with { Op = (OpKind)200 };
        var e = Assert.Throws<OnnxExportException>(() => OnnxExporter.ToBytes(model with { Graph = new ModelGraph(nodes) }));
        Assert.Contains("node 2 'fc1'", e.Message);
    }
}
