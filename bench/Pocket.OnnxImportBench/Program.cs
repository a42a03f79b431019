using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;

// Imports an ONNX model (default: ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 from the NuGet cache),
// runs it in Pocket.Runtime and in ONNX Runtime on the original file (one thread each), and prints the max relative
// difference of the outputs, the file sizes and the median latencies, side by side in one run.
//
//   dotnet run --project bench/Pocket.OnnxImportBench -c Release -- [MODEL.onnx] [--samples N] [--runs R]

string? model = null;
int samples = 4, runs = 5;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--samples") samples = int.Parse(args[++i]);
    else if (args[i] == "--runs") runs = int.Parse(args[++i]);
    else model = args[i];
}
model ??= ResNet18Path();
if (!File.Exists(model))
{
    Console.Error.WriteLine($"{model}: not found (restore bench/Pocket.OnnxImportBench to download the ResNet-18 package)");
    return 1;
}

var import = Stopwatch.StartNew();
PocketModel imported = OnnxImporter.Import(model);
byte[] pocketFile = PocketFile.Encode(imported);
import.Stop();
var network = PocketNetwork.Load(pocketFile);
TensorShape input = network.InputShape;
Console.WriteLine($"model {Path.GetFileName(model)}: {new FileInfo(model).Length:N0} bytes ONNX, {imported.Metadata["source"]}");
Console.WriteLine($"imported in {import.Elapsed.TotalSeconds:F1} s: {imported.Graph.Nodes.Count} Pocket nodes, "
    + $"{imported.Tensors.Values.Sum(t => t.ElementCount):N0} parameters, .pocket float32 file {pocketFile.Length:N0} bytes");
Console.WriteLine($"runtime layers: {network.DescribeLayers().Count}, input {input}, output {network.OutputShape}");

using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
using var session = new InferenceSession(model, options);
string inputName = session.InputMetadata.Keys.Single(), outputName = session.OutputMetadata.Keys.Single();
float[] Ort(float[] x)
{
    using var value = OrtValue.CreateTensorValueFromMemory(x, [1, input.Channels, input.Height, input.Width]);
    using var results = session.Run(new RunOptions(), [inputName], [value], [outputName]);
    return results[0].GetTensorDataAsSpan<float>().ToArray();
}

// Pixel-like inputs: uniform in [0, 255) (the featurizer's inputs are unnormalised 0..255 pixels) and in [0, 1).
var random = new Random(18);
double worst = 0;
for (int s = 0; s < samples; s++)
{
    float scale = s % 2 == 0 ? 255f : 1f;
    float[] x = Enumerable.Range(0, input.Length).Select(_ => (float)random.NextDouble() * scale).ToArray();
    float[] expected = Ort(x), actual = network.Predict(x);
    double max = expected.Max(v => Math.Abs((double)v));
    double diff = actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Max() / max;
    worst = Math.Max(worst, diff);
    Console.WriteLine($"sample {s} (pixels in [0, {scale})): max |Pocket - ORT| / max |ORT| = {diff:E2}");
}
Console.WriteLine($"max relative difference over {samples} samples: {worst:E2}");

float[] probe = Enumerable.Range(0, input.Length).Select(_ => (float)random.NextDouble()).ToArray();
var output = new float[network.OutputLength];
// Interleaved, one Pocket then one ORT run per repetition, so both see the same load on the shared machine.
network.Predict(probe, output);
Ort(probe);
var pocketTimes = new List<double>();
var ortTimes = new List<double>();
for (int r = 0; r < runs; r++)
{
    var watch = Stopwatch.StartNew();
    network.Predict(probe, output);
    pocketTimes.Add(watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    Ort(probe);
    ortTimes.Add(watch.Elapsed.TotalMilliseconds);
}
static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
double pocket = Median(pocketTimes), ort = Median(ortTimes);
double ratio = Median(pocketTimes.Zip(ortTimes, (p, o) => p / o).ToList());
Console.WriteLine($"latency batch 1, one thread, {runs} interleaved runs: median Pocket.Runtime {pocket:F1} ms, ONNX Runtime {ort:F1} ms, "
    + $"median per-run ratio {ratio:F2}");
return worst <= 1e-4 ? 0 : 2;

static string ResNet18Path()
{
    string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    return Path.Combine(cache, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
}
