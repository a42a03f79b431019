using System.Diagnostics;
using System.Globalization;
using Pocket.Bench.Binarization;
using Pocket.Runtime;

// Usage: dotnet run -c Release --project bench/binarization [-- ROUNDS]
//        dotnet run -c Release --project bench/binarization -- parity MODEL.ckpt [IMAGES]
// Per case: both networks are checked to agree, then timed in alternation (binary, dense, binary, …) so that load
// from other processes hits both alike; each round times a batch of calls, and the median per call is reported.
if (args.Length > 0 && args[0] == "parity")
{
    CheckpointParity.Run(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500);
    return;
}
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 41;
ConvCase[] cases =
[
    // sepnet width=0.5 resolution=32 (the Fashion-MNIST variant): conv2 and a stage-1 PRB pattern conv.
    new("sepnet-small conv2 (plain 3×3)", 16, 16, 16, 32, 3, 2, 1, 1),
    new("sepnet-small sep1 pattern (grouped 3×3)", 16, 8, 8, 16, 3, 1, 1, 4),
    // A plain 3×3 conv and a SEP pattern conv at a larger map (sepnet width=1, 224 input: stage 1).
    new("plain 3×3, 64 ch, 16×16", 64, 16, 16, 64, 3, 1, 1, 1),
    new("sepnet stage-1 pattern (grouped 3×3), 56×56", 32, 56, 56, 32, 3, 1, 1, 4),
];
var options = new PocketNetworkOptions { MaxDegreeOfParallelism = 1 };
Console.WriteLine($"{"layer",-44} {"geometry",-44} {"mult-adds",10} {"dense µs",9} {"binary µs",9} {"speed-up",8}");
foreach (var c in cases)
{
    var (binaryModel, denseModel) = OneLayerModels.Build(c, seed: 1);
    var binary = PocketNetwork.Load(binaryModel, options);
    var dense = PocketNetwork.Load(denseModel, options);
    var input = new float[binary.InputLength];
    var random = new Random(2);
    for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
    float[] yb = binary.Predict(input), yd = dense.Predict(input);
    double worst = 0, rms = Math.Sqrt(yd.Average(v => (double)v * v));
    for (int i = 0; i < yd.Length; i++) worst = Math.Max(worst, Math.Abs(yb[i] - yd[i]) / (Math.Abs(yd[i]) + rms));
    if (!binary.DescribeLayers()[0].Contains("binary-conv") || worst > 1e-4)
        throw new InvalidOperationException($"{c.Name}: binary and dense disagree ({worst:G3}) or the binary kernel is not used");

    var output = new float[binary.OutputLength];
    // Calls per timed batch: about 2 ms of work, so the timer's resolution does not matter.
    var probe = Stopwatch.StartNew();
    int warm = 0;
    while (probe.ElapsedMilliseconds < 300) { dense.Predict(input, output); binary.Predict(input, output); warm++; }
    int calls = Math.Max(1, (int)(2.0 * warm / probe.Elapsed.TotalMilliseconds));
    var binaryTimes = new List<double>();
    var denseTimes = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        binaryTimes.Add(Time(binary, input, output, calls));
        denseTimes.Add(Time(dense, input, output, calls));
    }
    double b = Median(binaryTimes), d = Median(denseTimes);
    Console.WriteLine($"{c.Name,-44} {c.Describe(),-44} {c.MultAdds,10:N0} {d,9:F1} {b,9:F1} {d / b,7:F2}x");
    Console.WriteLine($"{"",-44} kernels: {dense.DescribeLayers()[0]} | {binary.DescribeLayers()[0]}");
}

static double Time(PocketNetwork network, float[] input, float[] output, int calls)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < calls; i++) network.Predict(input, output);
    return clock.Elapsed.TotalMicroseconds / calls;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}
