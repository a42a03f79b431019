using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML.OnnxRuntime;
using Pocket.Onnx;

namespace Pocket.Bench;

/// <summary>
/// Issue 16's table under BenchmarkDotNet: each compact zoo model, dense with random weights, in Pocket.Runtime and in
/// ONNX Runtime on its ONNX export, one thread each. ONNX Runtime is the baseline, so the Ratio column is Pocket's time
/// over ORT's for the same case. (`pocket bench --model …` measures the same pairs interleaved, for a quick look.)
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
[MedianColumn]
public class ZooBenchmarks
{
    private LoadedModel _model = null!;
    private int _batch;
    private float[] _input = [];
    private float[] _pocketOutput = [];
    private OrtValue _ortInput = null!;
    private OrtValue _ortOutput = null!;
    private RunOptions _runOptions = null!;
    private readonly string[] _inputNames = [OnnxExporter.InputName];
    private readonly string[] _outputNames = [OnnxExporter.OutputName];

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    public static IEnumerable<string> Cases => ZooCase.Table;

    [GlobalSetup]
    public void Setup()
    {
        var zoo = ZooCase.Parse(Case);
        _model = new LoadedModel(zoo.Encode(), Case);
        int batch = _batch = zoo.Batch;
        var shape = _model.Pocket.InputShape;
        var random = new Random(7);
        _input = new float[batch * shape.Length];
        for (int i = 0; i < _input.Length; i++) _input[i] = (float)random.NextDouble();
        _pocketOutput = new float[batch * _model.Pocket.OutputLength];
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input, [batch, shape.Channels, shape.Height, shape.Width]);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(new float[batch * _model.Pocket.OutputLength], [batch, _model.Pocket.OutputLength]);
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _model.Dispose();
    }

    [Benchmark(Description = "Pocket.Runtime (dense)")]
    public void Pocket() => _model.Pocket.Predict(_input, _batch, _pocketOutput);

    [Benchmark(Baseline = true, Description = "ONNX Runtime (dense)")]
    public void OnnxRuntime() => _model.Ort.Run(_runOptions, _inputNames, [_ortInput], _outputNames, [_ortOutput]);
}
