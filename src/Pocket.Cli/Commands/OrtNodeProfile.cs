using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Pocket.Onnx;
using Pocket.Training.Checkpoints;

namespace Pocket.Cli.Commands;

/// <summary>One node of ONNX Runtime's optimised graph: its median kernel time over the profiled runs.</summary>
public sealed record OrtNodeTime(string Name, string Op, double Milliseconds);

/// <summary>
/// ONNX Runtime's own per-node times (`pocket bench --ort-profile FILE`), to set beside Pocket.Runtime's per-layer
/// times: a separate session with ORT's profiler on (so the timed comparison runs without it), the same input, batch 1.
/// Node names are those of ORT's optimised graph: fused and NCHWc-rewritten nodes keep the name of the ONNX node they
/// came from with a suffix (<c>relu4_nchwc</c>), so each maps back to a layer. ORT's raw profile (chrome://tracing
/// JSON) is moved to FILE once everything succeeded.
/// </summary>
public static class OrtNodeProfile
{
    public static IReadOnlyList<OrtNodeTime> Run(byte[] onnx, SessionOptions options, float[] input, long[] shape, int outputLength, int runs, string file)
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"pocket-ort-profile-{Environment.ProcessId}");
        // The prefix must be set before profiling is switched on: ORT takes it when EnableProfiling is set.
        options.ProfileOutputPathPrefix = prefix;
        options.EnableProfiling = true;
        string written;
        using (var session = new InferenceSession(onnx, options))
        {
            var output = new float[outputLength];
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [1, outputLength]);
            using var runOptions = new RunOptions();
            string[] inputNames = [OnnxExporter.InputName], outputNames = [OnnxExporter.OutputName];
            OrtValue[] inputs = [inputValue], outputs = [outputValue];
            for (int r = 0; r < runs; r++) session.Run(runOptions, inputNames, inputs, outputNames, outputs);
            written = session.EndProfiling();
        }
        try
        {
            var nodes = Summarise(File.ReadAllBytes(written));
            AtomicFile.WriteAllBytes(file, File.ReadAllBytes(written));
            return nodes;
        }
        finally
        {
            File.Delete(written);
        }
    }

    /// <summary>Median kernel time of each node, in order of first appearance (ORT's execution order).</summary>
    public static IReadOnlyList<OrtNodeTime> Summarise(ReadOnlySpan<byte> profileJson)
    {
        const string suffix = "_kernel_time";
        var order = new List<string>();
        var times = new Dictionary<string, (string Op, List<double> Us)>();
        using var doc = JsonDocument.Parse(profileJson.ToArray());
        foreach (JsonElement e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (!name.EndsWith(suffix, StringComparison.Ordinal)) continue;
            name = name[..^suffix.Length];
            string op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "" : "";
            if (!times.TryGetValue(name, out var entry)) { times[name] = entry = (op, []); order.Add(name); }
            entry.Us.Add(e.GetProperty("dur").GetDouble());
        }
        return order.Select(n =>
        {
            var us = times[n].Us;
            us.Sort();
            return new OrtNodeTime(n, times[n].Op, us[us.Count / 2] / 1000);
        }).ToList();
    }
}
