using Pocket.Runtime.Input;
using Pocket.Training.Models;

namespace Pocket.Training.Data;

/// <summary>
/// A dataset kept as image files: <c>DIR/train/CLASS/*.png|jpg|jpeg</c> and <c>DIR/test/CLASS/…</c>. The classes are
/// the subfolder names in ordinal order (label 0 is the first), the same set in both parts. Every file is decoded and
/// resized to the model's H×W by its preprocessing's resize rule as it is read (values stay in [0, 1]; the rest of the
/// preprocessing is applied per batch), so memory is bounded by the model's input size and the image count, never by
/// the files' own sizes. Images are ordered round-robin over the classes (the first of each class, then the second …),
/// so any prefix — <c>--limit</c>, <c>--fidelity-limit</c>, a calibration half — covers the classes evenly.
/// </summary>
public static class ImageFolder
{
    public const string TrainFolder = "train";
    public const string TestFolder = "test";

    /// <summary>Most images read from one part: a bound against pointing the command at a photo library by mistake.</summary>
    public const int MaxImages = 100_000;

    /// <summary>Most float32 values one part may hold once resized (2 GiB).</summary>
    public const long MaxValues = 1L << 29;

    /// <summary>Labels are bytes, as IDX labels are.</summary>
    public const int MaxClasses = 256;

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>Whether a folder is laid out as an image folder (it has a train/ or a test/ subfolder).</summary>
    public static bool Is(string folder) =>
        Directory.Exists(Path.Combine(folder, TrainFolder)) || Directory.Exists(Path.Combine(folder, TestFolder));

    /// <summary>Both parts, converted for a model of input <paramref name="input"/>.</summary>
    public static DatasetSplit Load(string folder, string name, InputShape input, Preprocessing preprocessing)
    {
        var train = LoadPart(folder, TrainFolder, name, input, preprocessing, limit: null);
        string[] trainClasses = train.ClassNames!.ToArray();
        string[] testClasses = ClassFolders(Path.Combine(folder, TestFolder));
        if (testClasses.Except(trainClasses, StringComparer.Ordinal).FirstOrDefault() is { } extra)
            throw new ImageFolderException($"{Path.Combine(folder, TestFolder, extra)}: class '{extra}' is not in {Path.Combine(folder, TrainFolder)}");
        if (trainClasses.Except(testClasses, StringComparer.Ordinal).FirstOrDefault() is { } missing)
            throw new ImageFolderException($"{Path.Combine(folder, TestFolder)}: has no class '{missing}' (a subfolder of {Path.Combine(folder, TrainFolder)})");
        var test = LoadPart(folder, TestFolder, name, input, preprocessing, limit: null);
        return new DatasetSplit(name, train, test);
    }

    /// <summary>The test part alone (train/ is neither read nor required), at most <paramref name="limit"/> images of it.</summary>
    public static ImageDataset LoadTest(string folder, string name, InputShape input, Preprocessing preprocessing, int? limit = null) =>
        LoadPart(folder, TestFolder, name, input, preprocessing, limit);

    private static ImageDataset LoadPart(string folder, string part, string name, InputShape input, Preprocessing preprocessing, int? limit)
    {
        string root = Path.Combine(folder, part);
        if (input.Channels is not (1 or 3))
            throw new ImageFolderException($"{folder}: image files are gray or RGB, the model's input has {input.Channels} channels");
        string[] classes = ClassFolders(root);
        string[][] files = classes.Select(c => ImageFiles(Path.Combine(root, c))).ToArray();
        long total = files.Sum(f => (long)f.Length);
        if (total > MaxImages)
            throw new ImageFolderException($"{root}: {total:N0} images, more than the {MaxImages:N0} an image folder may hold");
        var ordered = RoundRobin(files).Take(limit ?? int.MaxValue).ToArray();
        int channels = input.Channels; // gray for a gray model, else RGB (a gray file reads as R = G = B)
        long values = (long)ordered.Length * channels * input.Height * input.Width;
        if (values > MaxValues)
            throw new ImageFolderException($"{root}: {ordered.Length:N0} images of {channels}×{input.Height}×{input.Width} need {values * 4:N0} bytes, " +
                $"more than the {MaxValues * 4:N0}-byte limit");

        int size = channels * input.Height * input.Width;
        var pixels = new float[values];
        var labels = new byte[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            (string path, int label) = ordered[i];
            ImageFile.Image image = ImageFile.Decode(path, channels);
            try
            {
                preprocessing.ResizeImage(image.Pixels, channels, image.Height, image.Width, input.Height, input.Width, pixels.AsSpan(i * size, size));
            }
            catch (PreprocessingException e) { throw new ImageFolderException($"{path}: {e.Message}"); }
            labels[i] = (byte)label;
        }
        return new ImageDataset(name, pixels, labels, channels, input.Height, input.Width, classes.Length, preprocessing, classes);
    }

    /// <summary>The class subfolders of a part, in ordinal order.</summary>
    private static string[] ClassFolders(string root)
    {
        if (!Directory.Exists(root))
            throw new ImageFolderException($"{root}: folder not found (an image folder holds {TrainFolder}/CLASS/*.png|jpg and {TestFolder}/CLASS/…)");
        string[] classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new ImageFolderException($"{root}: no class subfolders (expected {root}/CLASS/*.png|jpg)");
        if (classes.Length > MaxClasses) throw new ImageFolderException($"{root}: {classes.Length} classes, more than {MaxClasses}");
        return classes;
    }

    private static string[] ImageFiles(string classFolder)
    {
        string[] files = Directory.EnumerateFiles(classFolder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ImageFolderException($"{classFolder}: empty class (no .png, .jpg or .jpeg file)");
        return files;
    }

    private static IEnumerable<(string Path, int Label)> RoundRobin(string[][] files)
    {
        int longest = files.Max(f => f.Length);
        for (int i = 0; i < longest; i++)
            for (int c = 0; c < files.Length; c++)
                if (i < files[c].Length) yield return (files[c][i], c);
    }
}
