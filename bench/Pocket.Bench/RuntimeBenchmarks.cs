using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML.OnnxRuntime;
using Pocket.Onnx;
using TorchSharp;

namespace Pocket.Bench;

/// <summary>
/// Latency (batch 1) and throughput (batch 64) of one model in the three runtimes, side by side. ONNX Runtime is the
/// baseline, so BenchmarkDotNet's Ratio column is "this runtime's time / ONNX Runtime's time" per model and batch.
/// Inputs and outputs are allocated once in setup for all three, so only inference is timed.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
[MedianColumn]
public class RuntimeBenchmarks
{
    private LoadedModel _model = null!;
    private float[] _input = [];
    private float[] _pocketOutput = [];
    private OrtValue _ortInput = null!;
    private OrtValue _ortOutput = null!;
    private RunOptions _runOptions = null!;
    private torch.Tensor _torchInput = null!;
    private readonly string[] _inputNames = [OnnxExporter.InputName];
    private readonly string[] _outputNames = [OnnxExporter.OutputName];

    [ParamsSource(nameof(ModelNames))]
    public string Model { get; set; } = "";

    [Params(1, 64)]
    public int Batch { get; set; }

    public static IEnumerable<string> ModelNames => BenchModels.Names;

    [GlobalSetup]
    public void Setup()
    {
        _model = new LoadedModel(BenchModels.PathOf(Model));
        var shape = _model.Pocket.InputShape;
        var random = new Random(7);
        _input = new float[Batch * shape.Length];
        for (int i = 0; i < _input.Length; i++) _input[i] = (float)random.NextDouble();
        _pocketOutput = new float[Batch * _model.Pocket.OutputLength];
        long[] dims = [Batch, shape.Channels, shape.Height, shape.Width];
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input, dims);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(new float[Batch * _model.Pocket.OutputLength], [Batch, _model.Pocket.OutputLength]);
        _runOptions = new RunOptions();
        _torchInput = torch.tensor(_input, dims);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _torchInput.Dispose();
        _model.Dispose();
    }

    [Benchmark(Description = "Pocket.Runtime (compressed)")]
    public void Pocket() => _model.Pocket.Predict(_input, Batch, _pocketOutput);

    [Benchmark(Baseline = true, Description = "ONNX Runtime (dense)")]
    public void OnnxRuntime() => _model.Ort.Run(_runOptions, _inputNames, [_ortInput], _outputNames, [_ortOutput]);

    [Benchmark(Description = "TorchSharp (dense)")]
    public void TorchSharp()
    {
        // no_grad is per thread in libtorch, and BenchmarkDotNet does not promise setup and runs share one.
        using var noGrad = torch.no_grad();
        using var output = _model.Torch.forward(_torchInput);
    }
}
