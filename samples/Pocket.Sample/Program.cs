using System.Diagnostics;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Sample;

// Usage: Pocket.Sample [model.pocket|--demo] [input]
//   model  a .pocket file (e.g. from `pocket compress`); --demo or nothing builds a random LeNet-5 in code,
//          writes it to demo.pocket and loads that file back, the same path an app takes.
//   input  raw float32 file (C·H·W values), an IDX image file such as data/mnist/t10k-images-idx3-ubyte.gz[:index],
//          or nothing for a synthetic digit.
string? modelArg = args.Length > 0 && args[0] != "--demo" ? args[0] : null;
string? inputArg = args.Length > 1 ? args[1] : null;

try
{
    var load = Stopwatch.StartNew();
    PocketNetwork network;
    if (modelArg is not null)
    {
        network = PocketNetwork.Load(modelArg);
    }
    else
    {
        string demoPath = Path.Combine(Path.GetTempPath(), "pocket-sample-demo.pocket");
        PocketFile.Write(demoPath, DemoModel.Build());
        network = PocketNetwork.Load(demoPath);
        Console.WriteLine($"demo model written to {demoPath} ({new FileInfo(demoPath).Length:N0} bytes)");
    }
    load.Stop();

    Console.WriteLine($"model    {network.Metadata.GetValueOrDefault("name", modelArg ?? "demo")}");
    Console.WriteLine($"input    {network.InputShape}, output {network.OutputLength}, weights resident {network.WeightBytes:N0} bytes, loaded in {load.Elapsed.TotalMilliseconds:F1} ms");
    Console.WriteLine($"simd     Vector<float>.Count={System.Numerics.Vector<float>.Count}, Vector256 accelerated={System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, FMA={System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}");
    foreach (string layer in network.DescribeLayers()) Console.WriteLine($"  {layer}");

    float[] input = InputLoader.Load(inputArg, network.InputLength);
    float[] scores = network.Predict(input); // warm-up (and the answer)
    // Best of 20 rounds of 10 predictions: on a busy machine the mean mostly measures the other processes.
    double bestMicroseconds = double.MaxValue;
    for (int round = 0; round < 20; round++)
    {
        var timer = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++) network.Predict(input, scores);
        bestMicroseconds = Math.Min(bestMicroseconds, timer.Elapsed.TotalMicroseconds / 10);
    }

    string[] labels = network.Metadata.TryGetValue("labels", out string? l) ? l.Split(',') : [];
    int best = 0;
    for (int i = 1; i < scores.Length; i++)
        if (scores[i] > scores[best]) best = i;
    Console.WriteLine($"class    {best}{(best < labels.Length ? $" ({labels[best]})" : "")}  score {scores[best]:F4}");
    Console.WriteLine($"latency  {bestMicroseconds:F1} µs per sample (best of 20 rounds of 10, 1 thread)");
    return 0;
}
catch (Exception e) when (e is PocketRuntimeException or PocketFormatException or IOException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
