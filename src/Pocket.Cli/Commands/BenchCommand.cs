using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Onnx;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket bench MODEL.pocket`: a quick latency comparison of Pocket.Runtime on the compressed file against ONNX
/// Runtime on the same model exported dense (CPU, one thread each unless --threads). `pocket bench --model NAME
/// --input CxHxW` measures a zoo model at any input without a checkpoint: freshly initialised weights from a fixed
/// torch seed, encoded dense, so a layout or kernel change can be timed at phone resolutions before any training. Timings alternate between the two runtimes run by
/// run, so a noisy neighbour on a shared machine slows both alike; each figure is the median over the runs after a
/// warm-up. bench/Pocket.Bench is the thorough BenchmarkDotNet version.
/// </summary>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandArgument(0, "[FILE]")] [Description("A .pocket file; without it, the zoo model of --model with random weights.")] public string? File { get; init; }
        [CommandOption("--input <CxHxW>")] [Description("Zoo model input shape (default 3×R×R, R = the resolution option or 224; LeNets 1×28×28).")] public string? Input { get; init; }
        [CommandOption("--classes <K>")] [Description("Zoo model classes (default 1000; LeNets 10).")] public int? Classes { get; init; }
        [CommandOption("--seed <N>")] [Description("Torch seed of the zoo model's random weights (default 1).")] public int Seed { get; init; } = 1;
        [CommandOption("--batch <N>")] [Description("Batch sizes to compare, repeatable (default 1 and 64).")] public int[] Batch { get; init; } = [];
        [CommandOption("--threads <N>")] [Description("Threads for each runtime (default 1); above 1, both are also timed at one thread in the same rounds, for their speed-ups.")] public int Threads { get; init; } = 1;
        [CommandOption("--runs <N>")] [Description("Timed runs per runtime at batch 1 (default 201; larger batches use a fifth).")] public int Runs { get; init; } = 201;
        [CommandOption("--no-batch64")] [Description("Skip the batch-64 throughput comparison.")] public bool NoBatch64 { get; init; }
        [CommandOption("--layers")] [Description("Also time each Pocket.Runtime layer (median of --runs), at batch 1 or --layers-batch.")] public bool Layers { get; init; }
        [CommandOption("--layers-batch <N>")] [Description("Batch size of the --layers timing, 1 to the runtime's tile of 8 (default 1).")] public int? LayersBatch { get; init; }
        [CommandOption("--ort-profile <FILE>")] [Description("Also profile ONNX Runtime (a separate session, batch 1, --runs runs): its per-node median times are printed, its raw profile (chrome://tracing JSON) is written to FILE.")] public string? OrtProfile { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    /// <summary>A timed run lasts at least this long (several calls when one is shorter), so timer granularity does not matter.</summary>
    private static readonly TimeSpan MinimumRunTime = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With several threads each runtime's workers spin for a while after a call, waiting for more work (ONNX
    /// Runtime's intra-op pool and Pocket.Runtime's workers alike). Timed back to back, one runtime's spinning worker
    /// holds the core the other's worker needs: measured on 2 cores, Pocket at batch 1 ran 14.7 ms next to ONNX
    /// Runtime against 6.1 ms alone. So with threads, each timed run is longer and follows a pause in which the
    /// other runtime's workers go to sleep; each run then pays one wake-up, as an app calling once per frame does.
    /// </summary>
    private static readonly TimeSpan ThreadedRunTime = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ThreadedPause = TimeSpan.FromMilliseconds(50);

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Runs < 1) throw new UsageException($"--runs: {s.Runs} is not a positive number");
        if (s.Threads < 1) throw new UsageException($"--threads: {s.Threads} is not a positive number");
        if (s.LayersBatch is { } lb)
        {
            if (lb < 1) throw new UsageException($"--layers-batch: {lb} is not a positive number");
            if (lb > PocketNetwork.TileBatch)
                throw new UsageException($"--layers-batch: {lb} is above {PocketNetwork.TileBatch}, the runtime's tile (a larger batch runs as tiles of {PocketNetwork.TileBatch})");
            if (!s.Layers) throw new UsageException("--layers-batch needs --layers");
        }
        if (s.OrtProfile is { } profilePath)
        {
            if (profilePath.Length == 0) throw new UsageException("--ort-profile: needs a file name");
            AtomicFile.EnsureWritable(profilePath);
        }
        int layersBatch = s.LayersBatch ?? 1, layersRuns = layersBatch == 1 ? s.Runs : Math.Max(5, s.Runs / 5); // as the batch timings
        foreach (int b in s.Batch)
            if (b < 1) throw new UsageException($"--batch: {b} is not a positive number");
        int[] batches = s.Batch.Length > 0 ? s.Batch.Distinct().ToArray() : s.NoBatch64 ? [1] : [1, 64];
        string source = s.File ?? s.Model;
        PocketModel model = s.File is null ? RandomZooModel.Create(s) : ReadFile(s);
        var network = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = s.Threads });
        byte[] onnx;
        OnnxExportSummary summary;
        using (var buffer = new MemoryStream())
        {
            try { summary = OnnxExporter.Export(model, buffer); }
            catch (OnnxExportException e) { throw new InputException($"{source}: {e.Message}"); }
            onnx = buffer.ToArray();
        }
        using var options = SessionOptionsFor(s.Threads);
        using var session = new InferenceSession(onnx, options);
        // With threads, one-thread copies of both runtimes are timed in the same rounds, for each one's speed-up.
        PocketNetwork? networkOneThread = s.Threads > 1 ? PocketNetwork.Load(model) : null;
        using var optionsOneThread = SessionOptionsFor(1);
        using InferenceSession? sessionOneThread = s.Threads > 1 ? new InferenceSession(onnx, optionsOneThread) : null;

        var results = batches.Select(b => (Batch: b, Result: Compare(network, session, networkOneThread, sessionOneThread, b, b == 1 ? s.Runs : Math.Max(5, s.Runs / 5)))).ToArray();
        var one = results.FirstOrDefault(r => r.Batch == 1).Result;
        var many = results.FirstOrDefault(r => r.Batch == 64).Result;
        string name = network.Metadata.GetValueOrDefault("model") ?? Path.GetFileName(source);
        string input = network.InputShape is var sh ? $"{sh.Channels}x{sh.Height}x{sh.Width}" : "";
        long denseBytes = summary.InitializerBytes;
        double maxDiff = results.Max(r => r.Result.MaxAbsDiff);
        IReadOnlyList<LayerTime>? layers = s.Layers ? TimeLayers(network, layersBatch, layersRuns) : null;
        IReadOnlyList<OrtNodeTime>? ortNodes = null;
        if (s.OrtProfile is not null)
        {
            var random = new Random(1234);
            float[] profileInput = new float[network.InputLength];
            for (int i = 0; i < profileInput.Length; i++) profileInput[i] = (float)random.NextDouble();
            var sh1 = network.InputShape;
            using var profileOptions = SessionOptionsFor(s.Threads);
            ortNodes = OrtNodeProfile.Run(onnx, profileOptions, profileInput, [1, sh1.Channels, sh1.Height, sh1.Width], network.OutputLength, s.Runs, s.OrtProfile);
        }

        if (s.Json)
        {
            Terminal.Json(new
            {
                Model = name, Input = input, Threads = s.Threads, Runs = s.Runs,
                PocketMs = one is null ? (double?)null : Math.Round(one.PocketMs, 5),
                OrtMs = one is null ? (double?)null : Math.Round(one.OrtMs, 5),
                Ratio = one is null ? (double?)null : Math.Round(one.Ratio, 3),
                Batch64 = many is null ? null : new
                {
                    PocketSamplesPerS = Math.Round(64_000 / many.PocketMs), OrtSamplesPerS = Math.Round(64_000 / many.OrtMs),
                    PocketMs = Math.Round(many.PocketMs, 4), OrtMs = Math.Round(many.OrtMs, 4), Ratio = Math.Round(many.Ratio, 3),
                },
                Batches = results.Select(r => new
                {
                    r.Batch, PocketMs = Math.Round(r.Result.PocketMs, 5), OrtMs = Math.Round(r.Result.OrtMs, 5), Ratio = Math.Round(r.Result.Ratio, 3),
                    PocketOneThreadMs = Round(r.Result.PocketOneThreadMs, 5), OrtOneThreadMs = Round(r.Result.OrtOneThreadMs, 5),
                    PocketThreadSpeedup = Round(r.Result.PocketOneThreadMs / r.Result.PocketMs, 3),
                    OrtThreadSpeedup = Round(r.Result.OrtOneThreadMs / r.Result.OrtMs, 3),
                }),
                PocketWeightBytes = network.WeightBytes, OrtWeightBytes = denseBytes,
                MaxAbsDiff = maxDiff,
                LayersBatch = layers is null ? (int?)null : layersBatch,
                Layers = layers?.Select(l => new { l.Name, l.Kernel, Output = l.OutputShape.ToString(), Ms = Math.Round(l.Milliseconds, 5) }),
                OrtNodes = ortNodes?.Select(n => new { n.Name, n.Op, Ms = Math.Round(n.Milliseconds, 5) }),
            });
            return 0;
        }
        var table = new Table().AddColumn("batch").AddColumn(new TableColumn("pocket ms").RightAligned())
            .AddColumn(new TableColumn("ort ms").RightAligned()).AddColumn(new TableColumn("ratio (pocket/ort)").RightAligned())
            .AddColumn(new TableColumn("pocket samples/s").RightAligned()).AddColumn(new TableColumn("ort samples/s").RightAligned());
        if (s.Threads > 1)
            table.AddColumn(new TableColumn("pocket 1-thread ms").RightAligned()).AddColumn(new TableColumn("ort 1-thread ms").RightAligned())
                .AddColumn(new TableColumn("speed-up pocket / ort").RightAligned());
        foreach (var (batch, c) in results)
        {
            string[] cells = [batch.ToString(), $"{c.PocketMs:F4}", $"{c.OrtMs:F4}", $"{c.Ratio:F2}",
                $"{batch * 1000 / c.PocketMs:N0}", $"{batch * 1000 / c.OrtMs:N0}"];
            if (c.PocketOneThreadMs is { } p1 && c.OrtOneThreadMs is { } o1)
                cells = [.. cells, $"{p1:F4}", $"{o1:F4}", $"{p1 / c.PocketMs:F2} / {o1 / c.OrtMs:F2}"];
            table.AddRow(cells);
        }
        string threads = s.Threads == 1 ? "1 thread" : $"{s.Threads} threads";
        Terminal.Out.WriteLine($"{name} {input}: Pocket.Runtime vs ONNX Runtime {OrtEnv.Instance().GetVersionString()} (dense), {threads}, median of {s.Runs} runs");
        Terminal.Out.Write(table);
        Terminal.Out.WriteLine($"weights resident: pocket {network.WeightBytes:N0} bytes, ort {denseBytes:N0} bytes " +
            $"({(double)network.WeightBytes / denseBytes:P1} of dense); largest logit difference {maxDiff:G3}");
        if (layers is not null)
        {
            double total = layers.Sum(l => l.Milliseconds);
            var perLayer = new Table().AddColumn("layer").AddColumn("kernel").AddColumn(new TableColumn("ms").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (LayerTime l in layers)
                perLayer.AddRow(Markup.Escape(l.Name), Markup.Escape($"{l.Kernel} -> {l.OutputShape}"), $"{l.Milliseconds:F4}", $"{l.Milliseconds / total:P1}");
            Terminal.Out.WriteLine($"Pocket.Runtime per layer, batch {layersBatch}, {threads}, median of {layersRuns} runs (sum {total:F4} ms):");
            Terminal.Out.Write(perLayer);
        }
        if (ortNodes is not null)
        {
            double total = ortNodes.Sum(n => n.Milliseconds);
            var perNode = new Table().AddColumn("node").AddColumn("op").AddColumn(new TableColumn("ms").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (OrtNodeTime n in ortNodes)
                perNode.AddRow(Markup.Escape(n.Name), Markup.Escape(n.Op), $"{n.Milliseconds:F4}", $"{n.Milliseconds / total:P1}");
            Terminal.Out.WriteLine($"ONNX Runtime per node, batch 1, {threads}, median of {s.Runs} profiled runs (sum {total:F4} ms; profile in {s.OrtProfile}):");
            Terminal.Out.Write(perNode);
        }
        return 0;
    }

    private static SessionOptions SessionOptionsFor(int threads) => new()
    {
        IntraOpNumThreads = threads, InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;

    private static IReadOnlyList<LayerTime> TimeLayers(PocketNetwork network, int batch, int runs)
    {
        var random = new Random(1234);
        float[] input = new float[batch * network.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        network.TimeLayers(input, batch, Math.Max(3, runs / 10)); // warm-up
        return network.TimeLayers(input, batch, runs);
    }

    private static PocketModel ReadFile(Settings s)
    {
        if (s.Input is not null || s.Options.Length > 0 || s.Classes is not null)
            throw new UsageException("--input, --option and --classes apply to a zoo model (--model), not to a .pocket file");
        if (!File.Exists(s.File)) throw new InputException($"{s.File}: file not found");
        return PocketFile.Read(s.File);
    }

    /// <summary>Medians at one batch size: each runtime at --threads, and with threads also each at one thread (timed
    /// in the same rounds, so the speed-up from threads is a ratio of the same moments, like the runtimes' ratio).</summary>
    private sealed record Comparison(double PocketMs, double OrtMs, double MaxAbsDiff, double? PocketOneThreadMs, double? OrtOneThreadMs)
    {
        public double Ratio => PocketMs / OrtMs;
    }

    private static Comparison Compare(PocketNetwork network, InferenceSession session, PocketNetwork? networkOneThread,
        InferenceSession? sessionOneThread, int batch, int runs)
    {
        bool threaded = networkOneThread is not null;
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

        var contenders = new List<Action>
        {
            () => network.Predict(input, batch, pocketOut),
            () => session.Run(runOptions, inputNames, inputs, outputNames, outputs),
        };
        if (threaded)
        {
            contenders.Add(() => networkOneThread!.Predict(input, batch, pocketOut));
            contenders.Add(() => sessionOneThread!.Run(runOptions, inputNames, inputs, outputNames, outputs));
        }
        TimeSpan runTime = threaded ? ThreadedRunTime : MinimumRunTime;
        double Time(Action action, int calls)
        {
            if (threaded) Thread.Sleep(ThreadedPause);
            return TimeCalls(action, calls);
        }
        int CallsPerRun()
        {
            double slowest = contenders.Max(c => Time(c, 3));
            return (int)Math.Clamp(Math.Ceiling(runTime.TotalMilliseconds / Math.Max(slowest, 1e-6)), 1, 10_000);
        }

        contenders[0]();
        contenders[1]();
        double maxDiff = 0;
        for (int i = 0; i < pocketOut.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(pocketOut[i] - ortOut[i]));

        // Warm-up by time, not by count: the JIT promotes hot methods to optimized code in the background after some
        // delay, and on a busy machine a fixed number of calls can end before that, timing unoptimized code.
        int calls = CallsPerRun();
        long warmupStart = Stopwatch.GetTimestamp();
        for (int w = 0; w < Math.Max(3, runs / 10) || Stopwatch.GetElapsedTime(warmupStart) < WarmupTime; w++)
            foreach (Action c in contenders) Time(c, calls);
        calls = CallsPerRun();
        var ms = contenders.Select(_ => new double[runs]).ToArray();
        for (int r = 0; r < runs; r++)
        {
            // Rotate which goes first, so none always runs right after another's cache footprint.
            for (int i = 0; i < contenders.Count; i++)
            {
                int c = (r + i) % contenders.Count;
                ms[c][r] = Time(contenders[c], calls);
            }
        }
        return new Comparison(Median(ms[0]), Median(ms[1]), maxDiff,
            threaded ? Median(ms[2]) : null, threaded ? Median(ms[3]) : null);
    }

    /// <summary>Milliseconds per call, averaged over <paramref name="calls"/> back-to-back calls.</summary>
    private static double TimeCalls(Action action, int calls)
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
