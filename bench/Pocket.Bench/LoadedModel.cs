using Microsoft.ML.OnnxRuntime;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using TorchSharp;

namespace Pocket.Bench;

/// <summary>
/// One .pocket file loaded three ways, each on one thread: Pocket.Runtime on the compressed weights, ONNX Runtime on
/// the dense export (CPU EP), and the dense TorchSharp module the file decodes to. Plus the weight bytes each keeps.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    private readonly SessionOptions _ortOptions;

    public LoadedModel(string path) : this(PocketFile.Read(path), path) { }

    /// <param name="source">Names the model in errors (a path, or a zoo case).</param>
    public LoadedModel(PocketModel model, string source)
    {
        Pocket = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });

        using var onnx = new MemoryStream();
        OnnxExportSummary summary = OnnxExporter.Export(model, onnx);
        OrtWeightBytes = summary.InitializerBytes;
        _ortOptions = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        Ort = new InferenceSession(onnx.ToArray(), _ortOptions);

        torch.set_num_threads(1);
        Torch = ModuleState.Restore(PocketDecoder.ToCheckpoint(model, source), source);
        Torch.eval();
        TorchWeightBytes = Torch.parameters().Sum(p => p.numel() * p.element_size());
    }

    public PocketNetwork Pocket { get; }

    public InferenceSession Ort { get; }

    public PocketModule Torch { get; }

    /// <summary>Pocket.Runtime's resident weights (CSR indices, codes, codebooks or floats as it holds them).</summary>
    public long PocketWeightBytes => Pocket.WeightBytes;

    /// <summary>Float32 initializers of the dense ONNX model: what ONNX Runtime holds (before any prepacking).</summary>
    public long OrtWeightBytes { get; }

    /// <summary>Parameter bytes of the dense TorchSharp module.</summary>
    public long TorchWeightBytes { get; }

    public void Dispose()
    {
        Ort.Dispose();
        _ortOptions.Dispose();
        Torch.Dispose();
    }
}
