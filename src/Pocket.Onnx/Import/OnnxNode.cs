using Onnx;

namespace Pocket.Onnx;

/// <summary>One ONNX node being imported: its attributes by name and errors that name it, its op type and the opset.</summary>
internal sealed class OnnxNode(NodeProto proto, int index, int opset)
{
    public NodeProto Proto { get; } = proto;

    public string OpType => Proto.OpType;

    public int Opset { get; } = opset;

    /// <summary>The node's name, or one made from its index and first output when the file gives none.</summary>
    public string Name { get; } = proto.Name.Length > 0 ? proto.Name : $"{proto.OpType}_{index}";

    public OnnxImportException Error(string message) => new($"node '{Name}' ({OpType}, opset {Opset}): {message}");

    public OnnxImportException Unsupported(string what) =>
        new($"node '{Name}': {OpType} {what}is not supported (opset {Opset})");

    private AttributeProto? Find(string name) => Proto.Attribute.FirstOrDefault(a => a.Name == name);

    public bool Has(string name) => Find(name) is not null;

    public long Int(string name, long fallback) => Find(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Find(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Find(name) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Find(name) is { } a ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => Find(name) is { } a ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) => Find(name)?.T;

    /// <summary>Input <paramref name="i"/>'s value name, or null when the node has fewer inputs or leaves it empty.</summary>
    public string? Input(int i) => i < Proto.Input.Count && Proto.Input[i].Length > 0 ? Proto.Input[i] : null;

    public string Output(int i) => Proto.Output[i];
}
