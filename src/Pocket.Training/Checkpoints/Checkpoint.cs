using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pocket.Training.Models;

namespace Pocket.Training.Checkpoints;

/// <summary>
/// A training checkpoint (.ckpt): the model's name and options, its input shape, the dataset it was trained on,
/// the weights (state_dict), and what compression added — pruning masks and per-layer codebooks with the code of
/// every weight — plus free-form metadata and any extra arrays (optimizer state for resuming).
///
/// Layout, safetensors-style: 8-byte magic "POCKETCK", u64 little-endian header length, a UTF-8 JSON header that
/// lists every array with its element type, shape, offset and length, then the arrays' bytes.
/// <para>
/// Format 1 is a zoo model, rebuilt by name. Format 2 also holds the model's graph (<see cref="Graph"/>, a model trained
/// elsewhere and imported): only such a checkpoint is written as 2, so a zoo checkpoint's bytes are what they were and
/// an older reader refuses a graph checkpoint with its one-line format error instead of misreading it.
/// </para>
/// </summary>
public sealed class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => "POCKETCK"u8;
    private const int ZooFormat = 1;
    private const int GraphFormat = 2;
    private const long MaxHeaderBytes = 64L * 1024 * 1024;

    public required ModelSpec Model { get; init; }
    public required InputShape Input { get; init; }
    public required int Classes { get; init; }
    public required string Dataset { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = new();

    /// <summary>The network itself, for a model outside the zoo (its tensor names are the <see cref="State"/> keys);
    /// null for a zoo model, which <see cref="Model"/> names.</summary>
    public Pocket.Format.ModelGraph? Graph { get; init; }

    /// <summary>The module's state_dict (parameters and buffers).</summary>
    public Dictionary<string, CheckpointTensor> State { get; init; } = new();

    /// <summary>Pruning masks by weight name: 1 keeps the weight, 0 prunes it.</summary>
    public Dictionary<string, byte[]> Masks { get; init; } = new();

    /// <summary>Trained quantization by weight name.</summary>
    public Dictionary<string, QuantizedWeight> Quantization { get; init; } = new();

    /// <summary>Binarized filters by weight name: the per-filter scale α (the signs are those of the weight).</summary>
    public Dictionary<string, float[]> Binarization { get; init; } = new();

    /// <summary>Anything else worth keeping, e.g. optimizer state for --resume.</summary>
    public Dictionary<string, CheckpointTensor> Extra { get; init; } = new();

    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    public void WriteTo(Stream stream)
    {
        var entries = new List<(string Name, CheckpointTensor Tensor)>();
        entries.AddRange(State.Select(kv => (kv.Key, kv.Value)));
        entries.AddRange(Masks.Select(kv => ("mask/" + kv.Key, CheckpointTensor.FromBytes(kv.Value, [kv.Value.Length]))));
        foreach (var (name, q) in Quantization)
        {
            entries.Add(("codebook/" + name, CheckpointTensor.FromFloats(q.Codebook, [q.Codebook.Length])));
            entries.Add(("codes/" + name, CheckpointTensor.FromUShorts(q.Codes, [q.Codes.Length])));
        }
        entries.AddRange(Binarization.Select(kv => ("alpha/" + kv.Key, CheckpointTensor.FromFloats(kv.Value, [kv.Value.Length]))));
        entries.AddRange(Extra.Select(kv => ("extra/" + kv.Key, kv.Value)));

        var tensors = new JsonArray();
        long offset = 0;
        foreach (var (name, t) in entries)
        {
            tensors.Add(new JsonObject
            {
                ["name"] = name, ["dtype"] = t.DType, ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["offset"] = offset, ["length"] = t.Data.Length,
            });
            offset += t.Data.Length;
        }
        var header = new JsonObject
        {
            ["format"] = Graph is null ? ZooFormat : GraphFormat,
            ["model"] = new JsonObject { ["name"] = Model.Name, ["options"] = ToJson(Model.Options) },
            ["input"] = new JsonArray(Input.Channels, Input.Height, Input.Width),
            ["classes"] = Classes,
            ["dataset"] = Dataset,
            ["metadata"] = ToJson(Metadata),
            ["tensors"] = tensors,
        };
        if (Graph is not null) header["graph"] = CheckpointGraph.ToJson(Graph);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        stream.Write(Magic);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        foreach (var (_, t) in entries) stream.Write(t.Data);
    }

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: file not found");
        byte[] bytes = File.ReadAllBytes(path);
        try { return Parse(bytes, path); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            throw new CheckpointException($"{path}: bad checkpoint header ({e.Message.Split('\n')[0].TrimEnd('.')})");
        }
    }

    public static Checkpoint Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new CheckpointException($"{source}: not a Pocket checkpoint (no 'POCKETCK' magic at offset 0)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 16))
            throw new CheckpointException($"{source}: header length {headerLength} at offset 8 exceeds the file ({bytes.Length} bytes)");
        var header = JsonNode.Parse(bytes.AsSpan(16, (int)headerLength))!.AsObject();
        int format = header["format"]!.GetValue<int>();
        if (format is not (ZooFormat or GraphFormat))
            throw new CheckpointException($"{source}: checkpoint format {format} is not supported (expected {ZooFormat} or {GraphFormat})");
        if ((format == GraphFormat) != header.ContainsKey("graph"))
            throw new CheckpointException(format == GraphFormat ? $"{source}: checkpoint format {GraphFormat} has no 'graph'"
                : $"{source}: checkpoint format {ZooFormat} cannot hold a 'graph'");
        long dataStart = 16 + (long)headerLength, dataLength = bytes.Length - dataStart;
        var input = header["input"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var checkpoint = new Checkpoint
        {
            Model = new ModelSpec(header["model"]!["name"]!.GetValue<string>(), FromJson(header["model"]!["options"])),
            Input = new InputShape(input[0], input[1], input[2]),
            Classes = header["classes"]!.GetValue<int>(),
            Dataset = header["dataset"]!.GetValue<string>(),
            Metadata = FromJson(header["metadata"]),
            Graph = format == GraphFormat ? CheckpointGraph.Parse(header["graph"], source) : null,
        };
        if (checkpoint.Graph is { } graph) CheckGraphHeader(checkpoint, graph, source);
        var codebooks = new Dictionary<string, float[]>();
        var codes = new Dictionary<string, ushort[]>();
        foreach (var node in header["tensors"]!.AsArray())
        {
            string name = node!["name"]!.GetValue<string>();
            string dtype = node["dtype"]!.GetValue<string>();
            long[] shape = node["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
            long offset = node["offset"]!.GetValue<long>(), length = node["length"]!.GetValue<long>();
            if (offset < 0 || length < 0 || offset > dataLength || length > dataLength - offset)
                throw new CheckpointException($"{source}: tensor '{name}' spans bytes {offset}..{offset + length} beyond the data ({dataLength} bytes)");
            if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, d) => d == 0 ? 0 : a > length / d ? length + 1 : a * d) * CheckpointTensor.ElementSize(dtype) != length)
                throw new CheckpointException($"{source}: tensor '{name}' has {length} bytes, which does not match shape [{string.Join(',', shape)}] of {dtype}");
            var tensor = new CheckpointTensor(dtype, shape, bytes.AsSpan((int)(dataStart + offset), (int)length).ToArray());
            int slash = name.IndexOf('/');
            string kind = slash < 0 ? "" : name[..slash], key = slash < 0 ? name : name[(slash + 1)..];
            switch (kind)
            {
                case "": checkpoint.State[name] = tensor; break;
                case "mask": checkpoint.Masks[key] = tensor.AsBytes(); break;
                case "codebook": codebooks[key] = tensor.AsFloats(); break;
                case "codes": codes[key] = tensor.AsUShorts(); break;
                case "alpha": checkpoint.Binarization[key] = tensor.AsFloats(); break;
                case "extra": checkpoint.Extra[key] = tensor; break;
                default: throw new CheckpointException($"{source}: unknown entry kind '{kind}' in tensor '{name}'");
            }
        }
        foreach (var (name, codebook) in codebooks)
        {
            if (!codes.TryGetValue(name, out var c)) throw new CheckpointException($"{source}: codebook of '{name}' has no codes");
            checkpoint.Quantization[name] = new QuantizedWeight(codebook, c);
        }
        return checkpoint;
    }

    /// <summary>The header's input and classes describe the graph's input and output, as they do for a zoo model.</summary>
    private static void CheckGraphHeader(Checkpoint checkpoint, Pocket.Format.ModelGraph graph, string source)
    {
        int[] input = graph.Input.Attributes;
        if (input[0] != checkpoint.Input.Channels || input[1] != checkpoint.Input.Height || input[2] != checkpoint.Input.Width)
            throw new CheckpointException($"{source}: 'input' {checkpoint.Input} disagrees with the graph's input node [{string.Join(",", input)}]");
        int outputs = Pocket.Runtime.GraphShapes.Infer(graph.Nodes)[^1].Length;
        if (checkpoint.Classes != outputs)
            throw new CheckpointException($"{source}: 'classes' {checkpoint.Classes} disagrees with the graph's {outputs} outputs");
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[k] = v;
        return o;
    }

    private static Dictionary<string, string> FromJson(JsonNode? node) =>
        node is null ? new() : node.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
}
