using System.Globalization;

namespace Pocket.Training.Compression;

/// <summary>How much of each layer to keep.</summary>
public abstract record PruningRule
{
    /// <summary>Han et al.'s rule: prune |w| ≤ quality × std(w) of the layer.</summary>
    public sealed record Quality(double Value) : PruningRule;

    /// <summary>Keep the given fraction of each named layer, or of each layer of a kind (largest |w|); layers not named are not pruned.</summary>
    public sealed record PerLayer(IReadOnlyDictionary<string, double> Keep) : PruningRule
    {
        /// <summary>The fraction for a layer: by its name, else by its kind (conv = 4-D weight, fc = 2-D); null leaves it unpruned.</summary>
        public double? KeepFor(string layer, int weightRank) =>
            Keep.TryGetValue(layer, out double k) ? k : Keep.TryGetValue(weightRank == 4 ? "conv" : "fc", out k) ? k : null;

        /// <summary>Throws, naming the layers there are, when a key is neither one of <paramref name="layers"/> nor a kind.</summary>
        public void CheckLayers(IReadOnlyList<string> layers)
        {
            foreach (var (key, _) in Keep)
                if (!layers.Contains(key) && key is not ("conv" or "fc"))
                    throw new ArgumentException($"--keep: no prunable layer '{key}' (layers: {string.Join(", ", layers)}; or conv=…, fc=… by kind)");
        }

        /// <summary>"keep fc1=0.08,fc2=0.09", in name order (it names a run's settings in its resume journal).</summary>
        public override string ToString() =>
            "keep " + string.Join(',', Keep.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"));
    }

    /// <summary>Keep one fraction of all compressible weights together, by one magnitude threshold across layers.</summary>
    public sealed record Global(double Keep) : PruningRule;

    /// <summary>
    /// Parses "fc1=0.08,fc2=0.09" (per layer), "0.08" (global), or "conv=0.5,fc=0.08" (by layer kind: conv = 4-D,
    /// fc = 2-D weights).
    /// </summary>
    public static PruningRule ParseKeep(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double global))
            return new Global(CheckFraction(global, text));
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double keep))
                throw new ArgumentException($"--keep: '{part}' is not LAYER=FRACTION");
            map[part[..eq]] = CheckFraction(keep, part);
        }
        return new PerLayer(map);
    }

    private static double CheckFraction(double keep, string text) =>
        keep is > 0 and <= 1 ? keep : throw new ArgumentException($"--keep: '{text}': a kept fraction must be in (0, 1]");
}
