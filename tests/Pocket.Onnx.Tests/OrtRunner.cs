using Microsoft.ML.OnnxRuntime;
using Pocket.Format;

namespace Pocket.Onnx.Tests;

/// <summary>Exports a model and runs it in ONNX Runtime (CPU, one thread), the reference the exporter must match.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly SessionOptions _options;

    public OrtRunner(PocketModel model)
    {
        _options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        Session = new InferenceSession(OnnxExporter.ToBytes(model), _options);
    }

    public InferenceSession Session { get; }

    public float[] Run(float[] input, int batch, int c, int h, int w)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [batch, c, h, w]);
        using var results = Session.Run(new RunOptions(), [OnnxExporter.InputName], [value], [OnnxExporter.OutputName]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        Session.Dispose();
        _options.Dispose();
    }
}
