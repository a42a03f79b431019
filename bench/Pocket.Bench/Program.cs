using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pocket.Bench;

// `coding`: the codec and k-means benchmarks alone (no models needed); `zoo`: issue 16's table of compact zoo models
// with random weights (no models needed); anything else: the runtime comparison on the compressed LeNets.
if (args is ["coding", .. var codingArgs])
{
    var codingJob = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1);
    BenchmarkSwitcher.FromTypes([typeof(CodingBenchmarks)]).Run(codingArgs, DefaultConfig.Instance.AddJob(codingJob.AsDefault()));
    return;
}
if (args is ["zoo", .. var zooArgs])
{
    // The 224 models take milliseconds a call: fewer, longer iterations than the LeNets'.
    var zooJob = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(11).WithLaunchCount(1);
    // Case strings ("mobilenet_v1:alpha=0.5 3x224x224 b1") are longer than the summary's default 20-character column,
    // which cut them to "mobil(...)24 b1 [35]" and made α 0.5 and α 1.0 indistinguishable.
    var zooConfig = DefaultConfig.Instance.AddJob(zooJob.AsDefault())
        .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(48));
    BenchmarkSwitcher.FromTypes([typeof(ZooBenchmarks)]).Run(zooArgs, zooConfig);
    return;
}

// Weight memory is a property of the loaded model, not a timing, so it is printed once before the benchmarks.
Console.WriteLine("Resident weight memory (bytes)");
Console.WriteLine("| model | Pocket.Runtime | ONNX Runtime (dense) | TorchSharp (dense) | Pocket / dense |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (string name in BenchModels.Names)
{
    using var model = new LoadedModel(BenchModels.PathOf(name));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {model.PocketWeightBytes:N0} | {model.OrtWeightBytes:N0} | {model.TorchWeightBytes:N0} | 1/{(double)model.OrtWeightBytes / model.PocketWeightBytes:F1} |"));
}
Console.WriteLine();

// In-process: TorchSharp's and ONNX Runtime's native libraries load as they do in an app, and no second build of the
// solution is needed on a 2-core machine. Short runs: the models are small and each iteration holds many calls.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(5)
    .WithIterationCount(15)
    .WithLaunchCount(1);
var config = DefaultConfig.Instance.AddJob(job.AsDefault());
BenchmarkSwitcher.FromTypes([typeof(RuntimeBenchmarks)]).Run(args, config);
