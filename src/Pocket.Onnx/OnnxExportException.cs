namespace Pocket.Onnx;

/// <summary>A Pocket model that cannot be expressed as ONNX (unknown op, malformed attributes, missing tensor); the
/// message names the node.</summary>
public sealed class OnnxExportException(string message) : Exception(message);
