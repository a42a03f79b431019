namespace Pocket.Onnx;

/// <summary>What an export wrote: the ONNX node and initializer counts, and the bytes of float32 initializers — the
/// weight memory a dense runtime such as ONNX Runtime holds for this model.</summary>
public sealed record OnnxExportSummary(int Nodes, int Initializers, long InitializerBytes, int Opset, long IrVersion);
