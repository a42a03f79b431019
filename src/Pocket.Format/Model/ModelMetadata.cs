namespace Pocket.Format;

/// <summary>
/// The conventional metadata keys of a .pocket file (docs/format.md §3) and the encoding of the class-label list.
/// Writers (the encoder, importers) and readers (the CLI, the web page) go through here so a key or the label
/// encoding is defined once. No key is required: every reader copes with its absence.
/// </summary>
public static class ModelMetadata
{
    /// <summary>Zoo model name (lenet300, lenet5, …), or <see cref="ImportedModel"/>.</summary>
    public const string Model = "model";

    /// <summary>The <see cref="Model"/> of a model imported from another framework, float or compressed alike; the
    /// graph's own name (ONNX's "torch_jit", "CNTKGraph") goes into <c>source</c>, since it names no model a user chose.</summary>
    public const string ImportedModel = "imported";

    /// <summary>Dataset the model was trained on (mnist, fashion-mnist, or a folder).</summary>
    public const string Dataset = "dataset";

    /// <summary>Number of output classes, decimal.</summary>
    public const string Classes = "classes";

    /// <summary>Input shape as C×H×W text.</summary>
    public const string Input = "input";

    /// <summary>Class names in output order, see <see cref="EncodeLabels"/>.</summary>
    public const string Labels = "labels";

    /// <summary>The preprocessing the model was trained with (Pocket.Runtime.Input.Preprocessing, docs/format.md §3):
    /// what white maps to before normalisation, a decimal number (default 1).</summary>
    public const string PreprocessScale = "preprocess.scale";

    /// <summary>Per-channel mean subtracted after scaling: one decimal, or one per channel, comma-separated (default 0).</summary>
    public const string PreprocessMean = "preprocess.mean";

    /// <summary>Per-channel divisor after the mean: one positive decimal, or one per channel, comma-separated (default 1).</summary>
    public const string PreprocessStd = "preprocess.std";

    /// <summary>Colour channel order the model expects: rgb (default) or bgr.</summary>
    public const string PreprocessChannelOrder = "preprocess.channel-order";

    /// <summary>How an image of another size becomes the input's H×W: pad (default, centred in zeros) or bilinear.</summary>
    public const string PreprocessResize = "preprocess.resize";

    /// <summary>One class name per line ("\n"). A name may hold commas; it cannot hold a line break.</summary>
    public static string EncodeLabels(IReadOnlyList<string> labels)
    {
        for (int i = 0; i < labels.Count; i++)
            if (labels[i].Contains('\n') || labels[i].Contains('\r'))
                throw new ArgumentException($"label {i}: a class name cannot contain a line break", nameof(labels));
        return string.Join('\n', labels);
    }

    /// <summary>
    /// The class names stored in <paramref name="metadata"/>, or null when there are none. One name per line; an older
    /// file's single-line, comma-separated list is read too. Names are trimmed of surrounding white space.
    /// </summary>
    public static string[]? ReadLabels(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Labels, out string? text) || text.Length == 0) return null;
        char separator = text.Contains('\n') ? '\n' : ',';
        return text.Split(separator).Select(l => l.Trim()).ToArray();
    }

    /// <summary>
    /// A name for each of <paramref name="classes"/> outputs: the file's labels when there is one per class,
    /// else the class index ("0", "1", …).
    /// </summary>
    public static string[] LabelsOrIndices(IReadOnlyDictionary<string, string> metadata, int classes)
    {
        string[]? named = ReadLabels(metadata);
        return named?.Length == classes ? named : Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
