using Google.Protobuf;
using Onnx;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx.Tests;

/// <summary>`pocket import` as a user runs it: a written file that runs like the original, and one line and exit 1 for
/// every file it cannot import.</summary>
public sealed class ImportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pocket-onnx-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelProto Fixture(string name) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(ImportFixtures.PathOf(name)));

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, ModelProto model) => Write(name, model.ToByteArray());

    [Fact]
    public void Import_writes_a_pocket_file_that_runs_like_the_onnx_file_with_its_labels()
    {
        string labels = Path.Combine(_dir, "labels.txt");
        File.WriteAllLines(labels, Enumerable.Range(0, 10).Select(i => $"digit {i}"));
        string output = Path.Combine(_dir, "cnn.pocket");
        string onnx = ImportFixtures.PathOf("bn_cnn_opset11.onnx");

        var r = PocketProcess.Run("import", onnx, "--out", output, "--labels", labels);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("wrote", r.Stdout);
        var network = PocketNetwork.Load(output);
        Assert.Equal(string.Join('\n', Enumerable.Range(0, 10).Select(i => $"digit {i}")), network.Metadata[OnnxImporter.LabelsKey]);
        // Named "imported" like the compressed file it becomes, not by the exporter's graph name, which goes into "source".
        Assert.Equal(ModelMetadata.ImportedModel, network.Metadata[ModelMetadata.Model]);
        Assert.StartsWith("onnx: ", network.Metadata["source"]);
        float[] input = ImportFixtures.Inputs(28 * 28, seed: 5);
        float[] expected = ImportFixtures.RunOrt(File.ReadAllBytes(onnx), input, [1, 1, 28, 28]);
        Assert.True(ImportFixtures.MaxRelativeDifference(network.Predict(input), expected) <= 1e-5);
    }

    [Theory]
    [InlineData("bn_cnn_opset11.onnx", 1, 28, 28)]
    [InlineData("residual_concat_opset17.onnx", 3, 16, 16)]
    public void Import_to_a_checkpoint_then_export_onnx_runs_in_onnx_runtime_like_the_original(string fixture, int c, int h, int w)
    {
        string onnx = ImportFixtures.PathOf(fixture);
        string ckpt = Path.Combine(_dir, "m.ckpt"), encoded = Path.Combine(_dir, "m.pocket"), exported = Path.Combine(_dir, "m.onnx");
        string labels = Path.Combine(_dir, "labels.txt");
        int classes = PocketNetwork.Load(OnnxImporter.Import(onnx)).OutputLength;
        File.WriteAllLines(labels, Enumerable.Range(0, classes).Select(i => $"class {i}"));

        var r = PocketProcess.Run("import", onnx, "--out", ckpt, "--labels", labels);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("POCKETCK"u8.ToArray(), File.ReadAllBytes(ckpt)[..8]);
        Assert.Equal(0, PocketProcess.Run("encode", ckpt, "--out", encoded).ExitCode);
        var export = PocketProcess.Run("export-onnx", ckpt, "--out", exported);
        Assert.True(export.ExitCode == 0, export.Stderr);

        // Through the checkpoint (TorchSharp's GraphModule) and back out, the network is the one the ONNX file holds.
        float[] input = ImportFixtures.Inputs(2 * c * h * w, seed: 9);
        float[] expected = ImportFixtures.RunOrt(File.ReadAllBytes(onnx), input, [2, c, h, w]);
        Assert.True(ImportFixtures.MaxRelativeDifference(ImportFixtures.RunOrt(File.ReadAllBytes(exported), input, [2, c, h, w]), expected) <= 1e-5);
        var network = PocketNetwork.Load(encoded);
        var actual = new float[2 * network.OutputLength];
        network.Predict(input, 2, actual);
        Assert.True(ImportFixtures.MaxRelativeDifference(actual, expected) <= 1e-5);
        Assert.Equal(string.Join('\n', Enumerable.Range(0, classes).Select(i => $"class {i}")), network.Metadata[OnnxImporter.LabelsKey]);
    }

    [Fact]
    public void Preprocessing_survives_export_onnx_and_import_and_an_option_overrides_the_stored_value()
    {
        string onnx = ImportFixtures.PathOf("residual_concat_opset17.onnx");
        string first = Path.Combine(_dir, "first.pocket"), exported = Path.Combine(_dir, "exported.onnx");
        string again = Path.Combine(_dir, "again.pocket"), overridden = Path.Combine(_dir, "overridden.pocket");
        Assert.Equal(0, PocketProcess.Run("import", onnx, "--out", first, "--scale", "255", "--mean", "1,2,3", "--channel-order", "bgr").ExitCode);
        Assert.Equal(0, PocketProcess.Run("export-onnx", first, "--out", exported).ExitCode);

        var r = PocketProcess.Run("import", exported, "--out", again);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var stored = PocketNetwork.Load(first).Metadata.Where(kv => kv.Key.StartsWith("preprocess.", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(3, stored.Count);
        Assert.Equal(stored, PocketNetwork.Load(again).Metadata.Where(kv => kv.Key.StartsWith("preprocess.", StringComparison.Ordinal)).ToDictionary());

        Assert.Equal(0, PocketProcess.Run("import", exported, "--out", overridden, "--channel-order", "rgb", "--scale", "2").ExitCode);
        var metadata = PocketNetwork.Load(overridden).Metadata;
        Assert.Equal("2", metadata[ModelMetadata.PreprocessScale]);
        Assert.Equal(stored[ModelMetadata.PreprocessMean], metadata[ModelMetadata.PreprocessMean]);
        Assert.False(metadata.ContainsKey(ModelMetadata.PreprocessChannelOrder)); // rgb is the default, so not stored
    }

    [Fact]
    public void A_bad_stored_preprocessing_value_is_one_line_naming_the_file_and_key()
    {
        var model = Fixture("residual_concat_opset17.onnx");
        model.MetadataProps.Add(new StringStringEntryProto { Key = ModelMetadata.PreprocessScale, Value = "-4" });
        string path = Write("bad-scale.onnx", model);
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", path, "--out", Path.Combine(_dir, "x.pocket")));
        Assert.Contains($"{path}: metadata {ModelMetadata.PreprocessScale}", line);
        // An option for that key replaces the stored value, so the import goes through.
        Assert.Equal(0, PocketProcess.Run("import", path, "--out", Path.Combine(_dir, "y.pocket"), "--scale", "255").ExitCode);
    }

    [Fact]
    public void Symbolic_sizes_need_input_and_then_import()
    {
        ModelProto model = Fixture("mlp_opset11.onnx");
        foreach (var d in model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(2)) { d.ClearDimValue(); d.DimParam = "size"; }
        string path = Write("symbolic.onnx", model);
        string output = Path.Combine(_dir, "symbolic.pocket");

        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", path, "--out", output));
        Assert.Contains("--input", line);
        Assert.False(File.Exists(output));

        var r = PocketProcess.Run("import", path, "--out", output, "--input", "1x28x28");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(new TensorShape(1, 28, 28), PocketNetwork.Load(output).InputShape);

        line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", path, "--out", output, "--input", "3x28x28"));
        Assert.Contains("--input 3x28x28 disagrees", line);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "truncated", "not a valid ONNX protobuf" },
        { "garbage", "not a valid ONNX protobuf" },
        { "empty", "holds no graph" },
        { "unsupported-op", "node 'elu': Elu is not supported (opset 13)" },
        { "external-data", "external file" },
        { "declared-output", "inconsistent shapes: output 'output'" },
        { "wrong-weight", "inconsistent shapes" },
        { "raw-data-size", "raw_data holds" },
        { "old-opset", "opset 6 is not supported" },
        { "asymmetric-pads", "asymmetric pads" },
        { "unknown-input", "is not produced by an earlier node" },
        { "two-outputs", "2 outputs" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_file_that_cannot_be_imported_gets_one_line_and_exit_1(string kind, string expected)
    {
        byte[] good = File.ReadAllBytes(ImportFixtures.PathOf("bn_cnn_opset13.onnx"));
        ModelProto model = ModelProto.Parser.ParseFrom(good);
        NodeProto FirstOf(string op) => model.Graph.Node.First(n => n.OpType == op);
        byte[] bytes;
        switch (kind)
        {
            case "truncated": bytes = good[..(good.Length / 2)]; break;
            case "garbage": bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 >> 3)).ToArray(); break;
            case "empty": bytes = []; break;
            case "unsupported-op":
                FirstOf("Relu").OpType = "Elu";
                FirstOf("Elu").Name = "elu";
                bytes = model.ToByteArray();
                break;
            case "external-data":
                model.Graph.Initializer[0].DataLocation = TensorProto.Types.DataLocation.External;
                model.Graph.Initializer[0].ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
                bytes = model.ToByteArray();
                break;
            case "declared-output":
                model.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue = 11;
                bytes = model.ToByteArray();
                break;
            case "wrong-weight":
            {
                // The head reads 16 features; give it a 10x8 weight of consistent data size.
                TensorProto w = model.Graph.Initializer.First(t => t.Dims.SequenceEqual([10L, 16L]));
                w.Dims.Clear();
                w.Dims.Add([10L, 8L]);
                w.RawData = ByteString.CopyFrom(new byte[10 * 8 * 4]);
                bytes = model.ToByteArray();
                break;
            }
            case "raw-data-size":
                model.Graph.Initializer[0].RawData = ByteString.CopyFrom(model.Graph.Initializer[0].RawData.Span[..^4]);
                bytes = model.ToByteArray();
                break;
            case "old-opset":
                model.OpsetImport[0].Version = 6;
                bytes = model.ToByteArray();
                break;
            case "asymmetric-pads":
            {
                AttributeProto pads = FirstOf("Conv").Attribute.First(a => a.Name == "pads");
                pads.Ints.Clear();
                pads.Ints.Add([1L, 1L, 0L, 0L]);
                bytes = model.ToByteArray();
                break;
            }
            case "unknown-input":
                FirstOf("Relu").Input[0] = "nowhere";
                bytes = model.ToByteArray();
                break;
            case "two-outputs":
                model.Graph.Output.Add(model.Graph.Output[0].Clone());
                bytes = model.ToByteArray();
                break;
            default: throw new ArgumentException(kind);
        }
        string path = Write($"{kind}.onnx", bytes);
        string output = Path.Combine(_dir, $"{kind}.pocket");

        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", path, "--out", output));

        Assert.Contains(expected, line);
        Assert.Contains($"{kind}.onnx", line);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Labels_must_match_the_outputs()
    {
        string labels = Path.Combine(_dir, "labels.txt");
        File.WriteAllLines(labels, ["cat", "dog"]);
        string line = PocketProcess.AssertOneLineError(PocketProcess.Run("import", ImportFixtures.PathOf("mlp_opset11.onnx"),
            "--out", Path.Combine(_dir, "m.pocket"), "--labels", labels));
        Assert.Contains("labels: 2 names for the model's 10 outputs", line);
    }
}
