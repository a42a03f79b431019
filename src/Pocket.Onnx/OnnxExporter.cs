using Google.Protobuf;
using Onnx;
using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx;

/// <summary>
/// Writes a Pocket model as an ONNX model with dense float32 weights, so any ONNX runtime can run it and results can
/// be compared with Pocket.Runtime. The graph input is "input" [N, C, H, W] with a symbolic batch N; the output is
/// "logits" [N, C·H·W of the last node].
/// </summary>
public static class OnnxExporter
{
    /// <summary>Opset 17 holds every op used here in its current form (Clip bounds as inputs, Softmax over one axis).</summary>
    public const int Opset = 17;

    /// <summary>IR version 8 is what opset 17 was released with; every ONNX Runtime since 1.13 reads it.</summary>
    public const long IrVersion = 8;

    public const string InputName = "input";
    public const string OutputName = "logits";

    public static OnnxExportSummary Export(PocketModel model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        var onnx = new OnnxGraphBuilder();
        var lowering = new PocketGraphLowering(model, onnx);
        (string outputName, long classes) = lowering.Lower(InputName, OutputName);
        TensorShape input = lowering.InputShape;
        ModelProto proto = onnx.BuildModel(IrVersion, Opset, model.Metadata.GetValueOrDefault("model") ?? "pocket",
            OnnxGraphBuilder.FloatValueInfo(InputName, null, input.Channels, input.Height, input.Width),
            OnnxGraphBuilder.FloatValueInfo(outputName, null, classes),
            model.Metadata);
        proto.WriteTo(output);
        return new OnnxExportSummary(onnx.NodeCount, onnx.InitializerCount, onnx.FloatInitializerBytes, Opset, IrVersion);
    }

    /// <summary>The ONNX model as bytes (for loading straight into a runtime).</summary>
    public static byte[] ToBytes(PocketModel model)
    {
        using var buffer = new MemoryStream();
        Export(model, buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes to <paramref name="path"/> atomically: a temporary file beside it, flushed, then renamed over it,
    /// so a reader never sees half a model and a failed export leaves any previous file intact.</summary>
    public static OnnxExportSummary Export(PocketModel model, string path)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            OnnxExportSummary summary;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                summary = Export(model, file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return summary;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
