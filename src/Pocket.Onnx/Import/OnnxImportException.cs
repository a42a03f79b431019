namespace Pocket.Onnx;

/// <summary>An ONNX file that cannot be imported: the message is one line naming the file and what is wrong
/// (the node, its op type and the opset for an unsupported operator).</summary>
public sealed class OnnxImportException(string message) : Exception(message);
