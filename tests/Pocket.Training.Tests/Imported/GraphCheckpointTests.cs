using System.Text.Json.Nodes;
using Pocket.Training.Checkpoints;
using Pocket.Tests;

namespace Pocket.Training.Tests.Imported;

/// <summary>A checkpoint's graph read back: a damaged one is one line naming what is wrong, never a crash or a wrong model.</summary>
public class GraphCheckpointTests
{
    private static readonly Lazy<byte[]> Bytes = new(() =>
    {
        using var stream = new MemoryStream();
        ImportedFixtures.Checkpoint("bn_cnn_opset13.onnx").WriteTo(stream);
        return stream.ToArray();
    });

    [Fact]
    public void A_graph_checkpoint_is_format_2_and_a_zoo_checkpoint_stays_format_1()
    {
        Assert.Equal(2, Header(Bytes.Value)["format"]!.GetValue<int>());
        var zoo = Checkpoint.Parse(Bytes.Value, "cnn.ckpt");
        using var stream = new MemoryStream();
        new Checkpoint { Model = zoo.Model, Input = zoo.Input, Classes = zoo.Classes, Dataset = "", State = zoo.State }.WriteTo(stream);
        JsonObject header = Header(stream.ToArray());
        Assert.Equal(1, header["format"]!.GetValue<int>());
        Assert.False(header.ContainsKey("graph"));
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "truncated: the last nodes cut off", "disagrees with the graph" },
        { "truncated: a middle node cut out", "graph node" },
        { "only the input node", "disagrees with the graph" },
        { "an empty graph", "'graph'" },
        { "an unknown op", "unknown op 'Gelu'" },
        { "an op by number", "unknown op '1'" },
        { "two ops in one", "unknown op 'Conv2d, Relu'" },
        { "inputs that are not numbers", "'inputs'" },
        { "a node without a name", "'name'" },
        { "format 2 without a graph", "has no 'graph'" },
        { "format 1 with a graph", "cannot hold a 'graph'" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void A_damaged_graph_is_one_line_naming_the_file(string damage, string expected)
    {
        JsonObject header = Header(Bytes.Value);
        var graph = header["graph"]!.AsArray();
        switch (damage)
        {
            case "truncated: the last nodes cut off": graph.RemoveAt(graph.Count - 1); graph.RemoveAt(graph.Count - 1); break;
            case "truncated: a middle node cut out": graph.RemoveAt(2); break;
            case "only the input node": while (graph.Count > 1) graph.RemoveAt(1); break;
            case "an empty graph": graph.Clear(); break;
            case "an unknown op": graph[1]!["op"] = "Gelu"; break;
            case "an op by number": graph[1]!["op"] = "1"; break;
            case "two ops in one": graph[1]!["op"] = "Conv2d, Relu"; break;
            case "inputs that are not numbers": graph[1]!["inputs"] = new JsonArray("zero"); break;
            case "a node without a name": graph[3]!.AsObject().Remove("name"); break;
            case "format 2 without a graph": header.Remove("graph"); break;
            case "format 1 with a graph": header["format"] = 1; break;
        }
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Parse(WithHeader(Bytes.Value, header), "cnn.ckpt"));
        Assert.StartsWith("cnn.ckpt: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_graph_that_reads_a_tensor_the_state_does_not_hold_is_refused_when_the_model_is_built()
    {
        JsonObject header = Header(Bytes.Value);
        var conv = header["graph"]!.AsArray().First(n => n!["op"]!.GetValue<string>() == "Conv2d")!;
        conv["tensors"]![0] = "nowhere.weight";
        Checkpoint damaged = Checkpoint.Parse(WithHeader(Bytes.Value, header), "cnn.ckpt");
        var e = Assert.Throws<CheckpointException>(() => ModuleState.Restore(damaged, "cnn.ckpt"));
        Assert.Contains("nowhere.weight", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_graph_that_declares_a_layer_larger_than_its_stored_tensor_is_refused_before_the_layer_is_allocated()
    {
        JsonObject header = Header(Bytes.Value);
        var graph = header["graph"]!.AsArray();
        var fc = graph[^1]!; // the head: Linear [10, 16]
        Assert.Equal("Linear", fc["op"]!.GetValue<string>());
        fc["attributes"]![0] = 5_000_000;
        header["classes"] = 5_000_000;
        Checkpoint damaged = Checkpoint.Parse(WithHeader(Bytes.Value, header), "cnn.ckpt");
        var e = Assert.Throws<CheckpointException>(() => ModuleState.Restore(damaged, "cnn.ckpt"));
        Assert.Contains("the graph reads [5000000,16]", e.Message);
    }

    private static JsonObject Header(byte[] checkpoint) => CheckpointHeader.Read(checkpoint);

    private static byte[] WithHeader(byte[] checkpoint, JsonObject header) => CheckpointHeader.With(checkpoint, header);
}
