using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket bench MODEL.pocket`: a quick latency comparison of Pocket.Runtime on the compressed file against ONNX
/// Runtime on the same model exported dense (CPU, one thread each). Timings alternate between the two runtimes run by
/// run, so a noisy neighbour on a shared machine slows both alike; each figure is the median over the runs after a
/// warm-up. bench/Pocket.Bench is the thorough BenchmarkDotNet version.
/// </summary>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")] [Description("A .pocket file.")] public string Model { get; init; } = "";
        [CommandOption("--runs <N>")] [Description("Timed runs per runtime at batch 1 (default 201; batch 64 uses a fifth).")] public int Runs { get; init; } = 201;
        [CommandOption("--no-batch64")] [Description("Skip the batch-64 throughput comparison.")] public bool NoBatch64 { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    /// <summary>A timed run lasts at least this long (several calls when one is shorter), so timer granularity does not matter.</summary>
    private static readonly TimeSpan MinimumRunTime = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(1);

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Runs < 1) throw new UsageException($"--runs: {s.Runs} is not a positive number");
        if (!File.Exists(s.Model)) throw new InputException($"{s.Model}: file not found");
        PocketModel model = PocketFile.Read(s.Model);
        var network = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        byte[] onnx;
        OnnxExportSummary summary;
        using (var buffer = new MemoryStream())
        {
            try { summary = OnnxExporter.Export(model, buffer); }
            catch (OnnxExportException e) { throw new InputException($"{s.Model}: {e.Message}"); }
            onnx = buffer.ToArray();
        }
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(onnx, options);

        var one = Compare(network, session, batch: 1, s.Runs);
        var many = s.NoBatch64 ? null : Compare(network, session, batch: 64, Math.Max(5, s.Runs / 5));
        string name = network.Metadata.GetValueOrDefault("model") ?? Path.GetFileName(s.Model);
        long denseBytes = summary.InitializerBytes;

        if (s.Json)
        {
            Terminal.Json(new
            {
                Model = name, Threads = 1, Runs = s.Runs,
                PocketMs = Math.Round(one.PocketMs, 5), OrtMs = Math.Round(one.OrtMs, 5), Ratio = Math.Round(one.Ratio, 3),
                Batch64 = many is null ? null : new
                {
                    PocketSamplesPerS = Math.Round(64_000 / many.PocketMs), OrtSamplesPerS = Math.Round(64_000 / many.OrtMs),
                    PocketMs = Math.Round(many.PocketMs, 4), OrtMs = Math.Round(many.OrtMs, 4), Ratio = Math.Round(many.Ratio, 3),
                },
                PocketWeightBytes = network.WeightBytes, OrtWeightBytes = denseBytes,
                MaxAbsDiff = Math.Max(one.MaxAbsDiff, many?.MaxAbsDiff ?? 0),
            });
            return 0;
        }
        var table = new Table().AddColumn("batch").AddColumn(new TableColumn("pocket ms").RightAligned())
            .AddColumn(new TableColumn("ort ms").RightAligned()).AddColumn(new TableColumn("ratio (pocket/ort)").RightAligned())
            .AddColumn(new TableColumn("pocket samples/s").RightAligned()).AddColumn(new TableColumn("ort samples/s").RightAligned());
        foreach (var (batch, c) in new[] { (1, one), (64, many) })
            if (c is not null)
                table.AddRow(batch.ToString(), $"{c.PocketMs:F4}", $"{c.OrtMs:F4}", $"{c.Ratio:F2}",
                    $"{batch * 1000 / c.PocketMs:N0}", $"{batch * 1000 / c.OrtMs:N0}");
        Terminal.Out.WriteLine($"{name}: Pocket.Runtime (compressed) vs ONNX Runtime {OrtEnv.Instance().GetVersionString()} (dense), 1 thread, median of {s.Runs} runs");
        Terminal.Out.Write(table);
        Terminal.Out.WriteLine($"weights resident: pocket {network.WeightBytes:N0} bytes, ort {denseBytes:N0} bytes " +
            $"({(double)network.WeightBytes / denseBytes:P1} of dense); largest logit difference {Math.Max(one.MaxAbsDiff, many?.MaxAbsDiff ?? 0):G3}");
        return 0;
    }

    private sealed record Comparison(double PocketMs, double OrtMs, double MaxAbsDiff)
    {
        public double Ratio => PocketMs / OrtMs;
    }

    private static Comparison Compare(PocketNetwork network, InferenceSession session, int batch, int runs)
    {
        var random = new Random(1234);
        float[] input = new float[batch * network.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        float[] pocketOut = new float[batch * network.OutputLength];
        float[] ortOut = new float[batch * network.OutputLength];
        var shape = network.InputShape;

        // Pre-bound input and output buffers: ONNX Runtime is timed without per-call allocation, as Pocket is.
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batch, shape.Channels, shape.Height, shape.Width]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(ortOut, [batch, network.OutputLength]);
        using var runOptions = new RunOptions();
        string[] inputNames = [OnnxExporter.InputName], outputNames = [OnnxExporter.OutputName];
        OrtValue[] inputs = [inputValue], outputs = [outputValue];

        void Pocket() => network.Predict(input, batch, pocketOut);
        void Ort() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);

        Pocket();
        Ort();
        double maxDiff = 0;
        for (int i = 0; i < pocketOut.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(pocketOut[i] - ortOut[i]));

        // Warm-up by time, not by count: the JIT promotes hot methods to optimized code in the background after some
        // delay, and on a busy machine a fixed number of calls can end before that, timing unoptimized code.
        int calls = CallsPerRun(Pocket, Ort);
        long warmupStart = Stopwatch.GetTimestamp();
        for (int w = 0; w < Math.Max(3, runs / 10) || Stopwatch.GetElapsedTime(warmupStart) < WarmupTime; w++)
        {
            Time(Pocket, calls);
            Time(Ort, calls);
        }
        calls = CallsPerRun(Pocket, Ort);
        var pocketMs = new double[runs];
        var ortMs = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            // Alternate which goes first, so neither always runs right after the other's cache footprint.
            if (r % 2 == 0) { pocketMs[r] = Time(Pocket, calls); ortMs[r] = Time(Ort, calls); }
            else { ortMs[r] = Time(Ort, calls); pocketMs[r] = Time(Pocket, calls); }
        }
        return new Comparison(Median(pocketMs), Median(ortMs), maxDiff);
    }

    private static int CallsPerRun(Action a, Action b)
    {
        double slowest = Math.Max(Time(a, 3), Time(b, 3));
        return (int)Math.Clamp(Math.Ceiling(MinimumRunTime.TotalMilliseconds / Math.Max(slowest, 1e-6)), 1, 10_000);
    }

    /// <summary>Milliseconds per call, averaged over <paramref name="calls"/> back-to-back calls.</summary>
    private static double Time(Action action, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / calls;
    }

    private static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
