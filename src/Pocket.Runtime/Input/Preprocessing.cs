using System.Globalization;
using Pocket.Format;

namespace Pocket.Runtime.Input;

/// <summary>
/// The preprocessing a model was trained with, the one definition every path that feeds images to a model goes
/// through (retraining and eval in TorchSharp, <c>run</c> and <c>predict</c> in Pocket.Runtime, data-free fidelity
/// inputs): pixels arrive in [0, 1] (white = 1), are resized to the model's H×W by <see cref="Resize"/>, a gray image
/// is repeated into every channel and a colour one reordered by <see cref="ChannelOrder"/>, then each value becomes
/// <c>x = (pixel · Scale − Mean[c]) / Std[c]</c>. Stored in a checkpoint's and a .pocket file's metadata under the
/// <c>preprocess.*</c> keys (<see cref="ModelMetadata"/>, docs/format.md §3); a model without them gets
/// <see cref="Default"/>, pixels in [0, 1] centred in zeros, which is what every model before these keys was fed.
/// </summary>
public sealed class Preprocessing
{
    /// <summary>What white maps to before normalisation: 1 for models trained on [0, 1] pixels, 255 for 0–255.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>One value for every channel, or one per channel (in the model's channel order).</summary>
    public IReadOnlyList<double> Mean { get; init; } = [0];

    /// <summary>One value for every channel, or one per channel; each positive.</summary>
    public IReadOnlyList<double> Std { get; init; } = [1];

    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    public ResizeRule Resize { get; init; } = ResizeRule.Pad;

    /// <summary>Pixels in [0, 1], RGB, centred in zeros: a model with no preprocessing keys.</summary>
    public static Preprocessing Default { get; } = new();

    /// <summary>True when values pass unchanged (scale 1, mean 0, std 1), so the default path copies floats bit for bit.</summary>
    public bool ValuesUnchanged => Scale == 1 && Every(Mean, 0) && Every(Std, 1);

    public bool IsDefault => ValuesUnchanged && ChannelOrder == ChannelOrder.Rgb && Resize == ResizeRule.Pad;

    /// <summary>The metadata keys, in the order they are described.</summary>
    public static readonly string[] Keys =
    [
        ModelMetadata.PreprocessScale, ModelMetadata.PreprocessMean, ModelMetadata.PreprocessStd,
        ModelMetadata.PreprocessChannelOrder, ModelMetadata.PreprocessResize,
    ];

    /// <summary>
    /// Reads the preprocessing from a model's metadata, checked against its input's channel count; absent keys take
    /// their defaults. A malformed value is a <see cref="PreprocessingException"/> naming the key and the value.
    /// </summary>
    public static Preprocessing FromMetadata(IReadOnlyDictionary<string, string> metadata, int channels) =>
        Parse(key => metadata.TryGetValue(key, out string? v) ? v : null, key => $"metadata '{key}'", channels);

    /// <summary>
    /// Parses the five values (each null for its default), looked up by metadata key; <paramref name="label"/> names a
    /// key in messages ("--mean" on the command line, "metadata 'preprocess.mean'" in a file). With
    /// <paramref name="channels"/> null only the syntax is checked (a command line read before its model is).
    /// </summary>
    public static Preprocessing Parse(Func<string, string?> value, Func<string, string> label, int? channels)
    {
        string? Text(string key) => value(key);
        var p = new Preprocessing();
        if (Text(ModelMetadata.PreprocessScale) is { } scale) p = p.With(scale: ParseNumber(scale, label(ModelMetadata.PreprocessScale), positive: true));
        if (Text(ModelMetadata.PreprocessMean) is { } mean) p = p.With(mean: ParseValues(mean, label(ModelMetadata.PreprocessMean), channels, positive: false));
        if (Text(ModelMetadata.PreprocessStd) is { } std) p = p.With(std: ParseValues(std, label(ModelMetadata.PreprocessStd), channels, positive: true));
        if (Text(ModelMetadata.PreprocessChannelOrder) is { } order)
        {
            string what = label(ModelMetadata.PreprocessChannelOrder);
            ChannelOrder parsed = order switch
            {
                "rgb" => ChannelOrder.Rgb,
                "bgr" => ChannelOrder.Bgr,
                _ => throw new PreprocessingException($"{what}: '{order}' is not rgb or bgr"),
            };
            if (parsed == ChannelOrder.Bgr && channels is not (null or 3))
                throw new PreprocessingException($"{what}: bgr needs a 3-channel input, the model's has {channels}");
            p = p.With(order: parsed);
        }
        if (Text(ModelMetadata.PreprocessResize) is { } resize)
            p = p.With(resize: resize switch
            {
                "pad" => ResizeRule.Pad,
                "bilinear" => ResizeRule.Bilinear,
                _ => throw new PreprocessingException($"{label(ModelMetadata.PreprocessResize)}: '{resize}' is not pad or bilinear"),
            });
        return p;
    }

    /// <summary>
    /// Writes the keys whose value is not the default and removes the others, so a default preprocessing leaves
    /// metadata as it was before these keys existed (and a model written without them keeps its bytes).
    /// </summary>
    public void WriteTo(IDictionary<string, string> metadata)
    {
        foreach (string key in Keys) metadata.Remove(key);
        if (Scale != 1) metadata[ModelMetadata.PreprocessScale] = Format(Scale);
        if (Mean.Any(m => m != 0)) metadata[ModelMetadata.PreprocessMean] = string.Join(',', Mean.Select(Format));
        if (Std.Any(s => s != 1)) metadata[ModelMetadata.PreprocessStd] = string.Join(',', Std.Select(Format));
        if (ChannelOrder != ChannelOrder.Rgb) metadata[ModelMetadata.PreprocessChannelOrder] = "bgr";
        if (Resize != ResizeRule.Pad) metadata[ModelMetadata.PreprocessResize] = "bilinear";
    }

    /// <summary>One phrase for messages: "pixels x 255, minus mean 104,117,123, bgr, bilinear resize".</summary>
    public override string ToString() =>
        $"scale {Format(Scale)}, mean {string.Join(',', Mean.Select(Format))}, std {string.Join(',', Std.Select(Format))}, " +
        $"{ChannelOrder.ToString().ToLowerInvariant()}, resize {Resize.ToString().ToLowerInvariant()}";

    /// <summary>Why an image of this size cannot become the input, or null when it can.</summary>
    public string? SizeProblem(int channels, int height, int width, TensorShape input)
    {
        if (channels != 1 && channels != input.Channels)
            return $"the model's input has {input.Channels} channels, the images {channels}";
        if (Resize == ResizeRule.Pad && (height > input.Height || width > input.Width))
            return $"the model's input {input} is smaller than the {height}×{width} images and its resize rule is pad";
        return null;
    }

    /// <summary>
    /// Makes one model input from one image: <paramref name="image"/> holds <paramref name="channels"/> planes (1 gray,
    /// or RGB) of <paramref name="height"/>×<paramref name="width"/> pixels in [0, 1]; <paramref name="target"/> gets
    /// <paramref name="input"/>'s C·H·W values. With <see cref="Default"/> the floats are exactly those of the image,
    /// centred in zeros and repeated into every channel.
    /// </summary>
    public void Apply(ReadOnlySpan<float> image, int channels, int height, int width, TensorShape input, Span<float> target)
    {
        if (SizeProblem(channels, height, width, input) is { } problem) throw new PreprocessingException(problem);
        if (image.Length != channels * height * width || target.Length != input.Length)
            throw new ArgumentException($"{image.Length} image values for {channels}×{height}×{width}, {target.Length} target values for {input}");
        int plane = height * width, targetPlane = input.Height * input.Width;
        for (int c = 0; c < input.Channels; c++)
        {
            int source = channels == 1 ? 0 : ChannelOrder == ChannelOrder.Bgr ? channels - 1 - c : c;
            Span<float> output = target.Slice(c * targetPlane, targetPlane);
            ResizePlane(image.Slice(source * plane, plane), height, width, output, input.Height, input.Width);
            if (ValuesUnchanged) continue;
            double scale = Scale, mean = Mean[Mean.Count == 1 ? 0 : c], std = Std[Std.Count == 1 ? 0 : c];
            for (int i = 0; i < output.Length; i++) output[i] = (float)((output[i] * scale - mean) / std);
        }
    }

    /// <summary>
    /// The spatial part alone, plane by plane, values untouched: what an image folder stores at load, so its memory is
    /// bounded by the model's input size. Applying <see cref="Apply"/> to the result gives the same input as applying
    /// it to the original (both rules leave an image of the input's size as it is).
    /// </summary>
    public void ResizeImage(ReadOnlySpan<float> image, int channels, int height, int width, int targetHeight, int targetWidth, Span<float> target)
    {
        if (Resize == ResizeRule.Pad && (height > targetHeight || width > targetWidth))
            throw new PreprocessingException($"{height}×{width} image is larger than the model's {targetHeight}×{targetWidth} input and the resize rule is pad");
        int plane = height * width, targetPlane = targetHeight * targetWidth;
        for (int c = 0; c < channels; c++)
            ResizePlane(image.Slice(c * plane, plane), height, width, target.Slice(c * targetPlane, targetPlane), targetHeight, targetWidth);
    }

    private void ResizePlane(ReadOnlySpan<float> source, int height, int width, Span<float> target, int targetHeight, int targetWidth)
    {
        if (height == targetHeight && width == targetWidth)
        {
            source.CopyTo(target);
            return;
        }
        if (Resize == ResizeRule.Pad) Pad(source, height, width, target, targetHeight, targetWidth);
        else Bilinear(source, height, width, target, targetHeight, targetWidth);
    }

    private static void Pad(ReadOnlySpan<float> source, int height, int width, Span<float> target, int targetHeight, int targetWidth)
    {
        target.Clear();
        int top = (targetHeight - height) / 2, left = (targetWidth - width) / 2;
        for (int y = 0; y < height; y++)
            source.Slice(y * width, width).CopyTo(target.Slice((top + y) * targetWidth + left, width));
    }

    /// <summary>Half-pixel centres: output pixel i samples source coordinate (i + ½)·in/out − ½, clamped at 0 and at the
    /// last pixel, weighted by distance in float64.</summary>
    private static void Bilinear(ReadOnlySpan<float> source, int height, int width, Span<float> target, int targetHeight, int targetWidth)
    {
        var x0 = new int[targetWidth];
        var x1 = new int[targetWidth];
        var wx = new double[targetWidth];
        for (int x = 0; x < targetWidth; x++) (x0[x], x1[x], wx[x]) = Sample(x, width, targetWidth);
        for (int y = 0; y < targetHeight; y++)
        {
            (int y0, int y1, double wy) = Sample(y, height, targetHeight);
            ReadOnlySpan<float> top = source.Slice(y0 * width, width), bottom = source.Slice(y1 * width, width);
            Span<float> row = target.Slice(y * targetWidth, targetWidth);
            for (int x = 0; x < targetWidth; x++)
            {
                double upper = top[x0[x]] + wx[x] * (top[x1[x]] - top[x0[x]]);
                double lower = bottom[x0[x]] + wx[x] * (bottom[x1[x]] - bottom[x0[x]]);
                row[x] = (float)(upper + wy * (lower - upper));
            }
        }
    }

    private static (int Low, int High, double Weight) Sample(int index, int inSize, int outSize)
    {
        double at = Math.Max((index + 0.5) * inSize / outSize - 0.5, 0);
        int low = Math.Min((int)at, inSize - 1);
        int high = Math.Min(low + 1, inSize - 1);
        return (low, high, at - low);
    }

    private Preprocessing With(double? scale = null, double[]? mean = null, double[]? std = null, ChannelOrder? order = null, ResizeRule? resize = null) => new()
    {
        Scale = scale ?? Scale, Mean = mean ?? Mean, Std = std ?? Std, ChannelOrder = order ?? ChannelOrder, Resize = resize ?? Resize,
    };

    private static double ParseNumber(string text, string what, bool positive) =>
        Number(text, positive) is { } problem ? throw new PreprocessingException($"{what}: '{text}' {problem}") : Convert(text);

    private static double[] ParseValues(string text, string what, int? channels, bool positive)
    {
        string[] parts = text.Split(',');
        if (channels is int count && parts.Length != 1 && parts.Length != count)
            throw new PreprocessingException($"{what}: '{text}' has {parts.Length} values; give 1, or one per channel ({count})");
        for (int i = 0; i < parts.Length; i++)
            if (Number(parts[i], positive) is { } problem)
                throw new PreprocessingException(parts.Length == 1 ? $"{what}: '{text}' {problem}" : $"{what}: '{text}': value {i + 1} ('{parts[i]}') {problem}");
        return parts.Select(Convert).ToArray();
    }

    /// <summary>What is wrong with a number's text, or null when it is a finite number (and positive if it must be).</summary>
    private static string? Number(string text, bool positive)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v)) return "is not a number";
        return positive && !(v > 0) ? "is not positive" : null;
    }

    private static double Convert(string text) => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A loop, not LINQ: asked for every channel of every image of every batch.</summary>
    private static bool Every(IReadOnlyList<double> values, double value)
    {
        for (int i = 0; i < values.Count; i++) if (values[i] != value) return false;
        return true;
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
