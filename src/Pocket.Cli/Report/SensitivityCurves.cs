using System.Text.Json;

namespace Pocket.Cli.Report;

/// <summary>The output of `pocket sensitivity --json`: per layer, test accuracy at each kept fraction.</summary>
public sealed record SensitivityCurves(string Model, IReadOnlyList<SensitivityCurves.Curve> Layers)
{
    public sealed record Curve(string Layer, long Weights, IReadOnlyList<(double Kept, double Accuracy)> Points);

    public static SensitivityCurves Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            string model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
            var layers = root.GetProperty("layers").EnumerateArray().Select(l => new Curve(
                l.GetProperty("name").GetString() ?? throw new InvalidOperationException("a layer has no name"),
                l.TryGetProperty("weights", out var w) ? w.GetInt64() : 0,
                l.GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("kept").GetDouble(), p.GetProperty("accuracy").GetDouble()))
                    .OrderByDescending(p => p.Item1).ToList())).ToList();
            if (layers.Count == 0) throw new InvalidOperationException("no layers");
            return new SensitivityCurves(model, layers);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InputException($"{path}: not the JSON of `pocket sensitivity --json` ({e.Message.Split('\n')[0].TrimEnd('.')})");
        }
    }
}
