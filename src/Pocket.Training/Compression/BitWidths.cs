using System.Globalization;

namespace Pocket.Training.Compression;

/// <summary>
/// Bits per layer for trained quantization: "conv=8,fc=5" by layer kind (conv = 4-D weights, fc = 2-D), "fc1=6"
/// by layer name (names win over kinds), or a single number for every layer.
/// </summary>
public sealed record BitWidths(IReadOnlyDictionary<string, int> ByKey)
{
    public static BitWidths Parse(string text)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int all))
        {
            map["conv"] = map["fc"] = Check(all, text);
            return new BitWidths(map);
        }
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || !int.TryParse(part[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int bits))
                throw new ArgumentException($"--bits: '{part}' is not LAYER=BITS or KIND=BITS");
            map[part[..eq]] = Check(bits, part);
        }
        return new BitWidths(map);
    }

    /// <summary>Bits for a layer, or null when the spec leaves it unquantized.</summary>
    public int? For(string layer, int weightRank)
    {
        if (ByKey.TryGetValue(layer, out int bits)) return bits;
        return ByKey.TryGetValue(weightRank == 4 ? "conv" : "fc", out bits) ? bits : null;
    }

    /// <summary>Throws, naming the layers there are, when a key is neither one of <paramref name="layers"/> nor a kind.</summary>
    public void CheckLayers(IReadOnlyList<string> layers)
    {
        foreach (var (key, _) in ByKey)
            if (!layers.Contains(key) && key is not ("conv" or "fc"))
                throw new ArgumentException($"--bits: no quantizable layer '{key}' (layers: {string.Join(", ", layers)}; or conv=…, fc=… by kind)");
    }

    /// <summary>"conv=8,fc=5", in key order (it names a run's settings in its resume journal).</summary>
    public override string ToString() =>
        string.Join(',', ByKey.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static int Check(int bits, string text) =>
        bits is >= 1 and <= 16 ? bits : throw new ArgumentException($"--bits: '{text}': bits must be 1 to 16");
}
