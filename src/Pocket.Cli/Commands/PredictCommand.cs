using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Runtime.Input;
using Pocket.Training.Data;
using SkiaSharp;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket predict MODEL.pocket IMAGE`: classifies one PNG or JPEG with Pocket.Runtime and prints the top classes with
/// softmax probabilities. The image is prepared the way the training data looks (see <see cref="PredictionImage"/>).
/// </summary>
public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")] [Description("A .pocket file.")] public string Model { get; init; } = "";
        [CommandArgument(1, "<IMAGE>")] [Description("A PNG or JPEG image.")] public string Image { get; init; } = "";
        [CommandOption("--top <K>")] [Description("How many classes to list (default 5).")] public int Top { get; init; } = 5;

        [CommandOption("--invert <auto|yes|no>")]
        [Description("Invert gray levels; auto inverts a light-background image for MNIST-style (white-on-black) models.")]
        public string Invert { get; init; } = "auto";

        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Top < 1) throw new UsageException($"--top: {s.Top} is not a positive number");
        InvertMode invert = s.Invert.ToLowerInvariant() switch
        {
            "auto" => InvertMode.Auto,
            "yes" => InvertMode.Always,
            "no" => InvertMode.Never,
            _ => throw new UsageException($"--invert: '{s.Invert}' is not auto, yes or no"),
        };
        if (!File.Exists(s.Model)) throw new InputException($"{s.Model}: file not found");
        if (!File.Exists(s.Image)) throw new InputException($"{s.Image}: file not found");

        PocketModel model = PocketFile.Read(s.Model);
        var network = PocketNetwork.Load(model);
        string? dataset = network.Metadata.GetValueOrDefault(ModelMetadata.Dataset);
        // A file that stores its preprocessing gets exactly that (the rule eval and run apply); one without keeps the
        // picture rule below, made for MNIST-style digits drawn or photographed.
        PreparedImage image = network.Metadata.Keys.Any(Preprocessing.Keys.Contains)
            ? StoredPreprocessingImage.Prepare(s.Image, network.InputShape, FilePreprocessing.Of(network, s.Model), dataset, invert)
            : PredictionImage.Prepare(s.Image, network.InputShape, dataset, invert);
        float[] outputs = network.Predict(image.Pixels);

        // A graph that already ends in Softmax gives probabilities; anything else gives logits.
        bool endsInSoftmax = model.Graph.Nodes[^1].Op == OpKind.Softmax;
        double[] probabilities = endsInSoftmax ? outputs.Select(v => (double)v).ToArray() : Softmax(outputs);
        string[] labels = ClassLabels(network.Metadata, dataset, outputs.Length);
        var top = Enumerable.Range(0, outputs.Length)
            .OrderByDescending(c => probabilities[c]).ThenBy(c => c)
            .Take(s.Top)
            .Select(c => new { Class = c, Label = labels[c], Probability = Math.Round(probabilities[c], 6) })
            .ToArray();

        if (s.Json)
        {
            Terminal.Json(new
            {
                Model = network.Metadata.GetValueOrDefault(ModelMetadata.Model) ?? s.Model, s.Image, Input = network.InputShape.ToString(),
                image.Inverted, Preprocessing = image.Description, Top = top,
            });
            return 0;
        }
        Terminal.Out.WriteLine($"{s.Image}: {image.Description}");
        var table = new Table().AddColumn("class").AddColumn("label").AddColumn(new TableColumn("probability").RightAligned());
        foreach (var t in top) table.AddRow(t.Class.ToString(), Markup.Escape(t.Label), t.Probability.ToString("P2"));
        Terminal.Out.Write(table);
        return 0;
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>
    /// Names from the file's "labels" (<see cref="ModelMetadata"/>); a file written before the encoder stored them
    /// gets its bundled dataset's names; else the class index.
    /// </summary>
    private static string[] ClassLabels(IReadOnlyDictionary<string, string> metadata, string? dataset, int classes)
    {
        if (ModelMetadata.ReadLabels(metadata) is { } named && named.Length == classes) return named;
        if (dataset is not null && DatasetLabels.For(dataset) is { } bundled && bundled.Count == classes) return bundled.ToArray();
        return ModelMetadata.LabelsOrIndices(metadata, classes);
    }
}

public enum InvertMode { Auto, Always, Never }

/// <summary>A model input made from a picture, and a sentence saying what was done to it.</summary>
public sealed record PreparedImage(float[] Pixels, bool Inverted, string Description);

/// <summary>
/// Turns a photo or drawing into a model input: decoded with SkiaSharp, composited over white (so transparent PNGs
/// read as paper), resized with bilinear filtering and mipmaps (so large pictures do not alias), converted to gray
/// (ITU-R BT.601 weights) and scaled to [0, 1]. MNIST and Fashion-MNIST show light strokes on black, so for those
/// models a picture with a light background (the mean of its border pixels above one half) is inverted. MNIST-style
/// models whose input is larger than 28×28 get the 28×28 image centred in zeros, as in training (Batches.CopyImage).
/// </summary>
public static class PredictionImage
{
    private const int MnistSide = 28;

    public static PreparedImage Prepare(string path, TensorShape input, string? dataset, InvertMode invert)
    {
        using SKBitmap source = Decode(path);
        bool mnistStyle = dataset is not null && (dataset.Equals("mnist", StringComparison.OrdinalIgnoreCase)
                                                  || dataset.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase));
        bool padded = mnistStyle && input.Height >= MnistSide && input.Width >= MnistSide && (input.Height, input.Width) != (MnistSide, MnistSide);
        (int height, int width) = padded ? (MnistSide, MnistSide) : (input.Height, input.Width);

        float[] gray = Grayscale(source, width, height);
        double border = GrayImageInput.BorderMean(gray, width, height);
        bool inverted = invert switch
        {
            InvertMode.Always => true,
            InvertMode.Never => false,
            _ => mnistStyle && border > GrayImageInput.LightBackgroundAbove,
        };
        if (inverted) GrayImageInput.Invert(gray);

        // Every channel gets the gray image, centred (a no-op offset when the sizes match).
        var pixels = new float[input.Length];
        int top = (input.Height - height) / 2, left = (input.Width - width) / 2;
        for (int c = 0; c < input.Channels; c++)
            for (int y = 0; y < height; y++)
                gray.AsSpan(y * width, width).CopyTo(pixels.AsSpan((c * input.Height + top + y) * input.Width + left, width));

        string why = invert switch
        {
            InvertMode.Always => "inverted (--invert yes)",
            InvertMode.Never => "not inverted (--invert no)",
            _ when inverted => $"inverted to white-on-black (light background, border mean {border:F2})",
            _ when mnistStyle => $"not inverted (dark background, border mean {border:F2})",
            _ => "not inverted (not an MNIST-style model)",
        };
        string description = $"{source.Width}x{source.Height} image, resized to {width}x{height}, grayscale, {why}, scaled to [0,1]"
                             + (padded ? $", centred in {input.Height}x{input.Width} zeros" : "")
                             + $" -> input {input}";
        return new PreparedImage(pixels, inverted, description);
    }

    private static SKBitmap Decode(string path)
    {
        using FileStream stream = File.OpenRead(path);
        SKBitmap? bitmap = SKBitmap.Decode(stream);
        if (bitmap is null || bitmap.Width == 0 || bitmap.Height == 0)
        {
            bitmap?.Dispose();
            throw new InputException($"{path}: not an image SkiaSharp can decode (PNG or JPEG expected)");
        }
        return bitmap;
    }

    /// <summary>The picture drawn over white at the target size, as gray levels in [0, 1].</summary>
    private static float[] Grayscale(SKBitmap source, int width, int height)
    {
        using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        using (SKImage image = SKImage.FromBitmap(source))
        {
            canvas.Clear(SKColors.White);
            canvas.DrawImage(image, SKRect.Create(width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var gray = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                SKColor p = target.GetPixel(x, y);
                gray[y * width + x] = GrayImageInput.Gray(p.Red, p.Green, p.Blue);
            }
        return gray;
    }
}
