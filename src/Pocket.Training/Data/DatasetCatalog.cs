using Pocket.Runtime.Input;
using Pocket.Training.Models;

namespace Pocket.Training.Data;

/// <summary>
/// Resolves a <c>--dataset</c> value: "mnist" and "fashion-mnist" name the copies bundled under data/;
/// anything else is a folder holding the four IDX files (raw or .gz), or an image folder (<see cref="ImageFolder"/>:
/// train/CLASS/*.png and test/CLASS/…), whose files are converted to the model's input as they are read. The model's
/// preprocessing travels with the images it returns (<see cref="ImageDataset.Preprocessing"/>).
/// </summary>
public static class DatasetCatalog
{
    public static readonly string[] BundledNames = ["mnist", "fashion-mnist"];

    private static readonly string[] FileStems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Loads both parts of a dataset for a model of input <paramref name="input"/> fed through
    /// <paramref name="preprocessing"/> (default: <see cref="Preprocessing.Default"/>). Errors are
    /// <see cref="IdxFormatException"/> or <see cref="ImageFolderException"/> with one line.
    /// </summary>
    /// <param name="input">The model's input; an image folder needs it (its files are resized to it at load).</param>
    public static DatasetSplit Load(string dataset, InputShape? input = null, Preprocessing? preprocessing = null)
    {
        string folder = ResolveFolder(dataset);
        preprocessing ??= Preprocessing.Default;
        if (ImageFolder.Is(folder)) return ImageFolder.Load(folder, dataset, ModelInput(dataset, input), preprocessing);
        var idx = LoadIdx(dataset, folder);
        return preprocessing.IsDefault ? idx
            : new DatasetSplit(idx.Name, idx.Train.WithPreprocessing(preprocessing), idx.Test.WithPreprocessing(preprocessing));
    }

    private static DatasetSplit LoadIdx(string dataset, string folder)
    {
        string[] files = FileStems.Select(stem => FindFile(folder, stem)).ToArray();
        var train = LoadPart(dataset, files[0], files[1]);
        var test = LoadPart(dataset, files[2], files[3]);
        if (train.Height != test.Height || train.Width != test.Width)
            throw new IdxFormatException($"{files[2]}: test images are {test.Height}×{test.Width}, training images {train.Height}×{train.Width}");
        return new DatasetSplit(dataset, train, test);
    }

    /// <summary>
    /// The test part alone: the two t10k files are read, the training files are neither opened nor required. For
    /// work that must not see a training set (compression without data, <c>compress --no-data</c>).
    /// </summary>
    /// <param name="limit">At most this many images (an image folder decodes no more than these).</param>
    public static ImageDataset LoadTest(string dataset, InputShape? input = null, Preprocessing? preprocessing = null, int? limit = null)
    {
        string folder = ResolveFolder(dataset);
        preprocessing ??= Preprocessing.Default;
        if (ImageFolder.Is(folder)) return ImageFolder.LoadTest(folder, dataset, ModelInput(dataset, input), preprocessing, limit);
        var test = LoadPart(dataset, FindFile(folder, FileStems[2]), FindFile(folder, FileStems[3]));
        if (limit is int n) test = test.Take(n);
        return preprocessing.IsDefault ? test : test.WithPreprocessing(preprocessing);
    }

    private static InputShape ModelInput(string dataset, InputShape? input) => input ??
        throw new ImageFolderException($"{dataset}: an image folder is converted to a model's input as it is read, so it needs a model " +
            "(import --dataset, eval, run, prune, quantize, compress --from, --fidelity-dataset), not train or compress --model");

    /// <summary>The folder a dataset name refers to.</summary>
    public static string ResolveFolder(string dataset)
    {
        if (BundledNames.Contains(dataset, StringComparer.OrdinalIgnoreCase))
            return Path.Combine(DataRoot(), dataset.ToLowerInvariant());
        if (Directory.Exists(dataset)) return Path.GetFullPath(dataset);
        throw new IdxFormatException($"{dataset}: unknown dataset (use {string.Join(", ", BundledNames)}, a folder with the four IDX files, or an image folder with train/CLASS/ and test/CLASS/ subfolders)");
    }

    /// <summary>
    /// The bundled data folder: $POCKET_DATA if set, else the first data/ folder found walking up from the
    /// program's own directory (the repository root in a build), else the data/ folder of the source tree the
    /// program was built from, else data/ under the working directory.
    /// </summary>
    public static string DataRoot()
    {
        string? env = Environment.GetEnvironmentVariable("POCKET_DATA");
        if (!string.IsNullOrEmpty(env)) return env;
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (Directory.Exists(Path.Combine(candidate, "mnist"))) return candidate;
            }
        }
        string? built = typeof(DatasetCatalog).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PocketDataRoot")?.Value;
        if (built != null && Directory.Exists(Path.Combine(built, "mnist"))) return built;
        return Path.Combine(Directory.GetCurrentDirectory(), "data");
    }

    private static string FindFile(string folder, string stem)
    {
        foreach (string name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx") + ".gz", stem.Replace("-idx", ".idx") })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        throw new IdxFormatException($"{Path.Combine(folder, stem)}[.gz]: file not found");
    }

    private static ImageDataset LoadPart(string name, string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath, expectedRank: 3);
        var labels = IdxFile.Read(labelsPath, expectedRank: 1);
        int count = images.Dimensions[0], height = images.Dimensions[1], width = images.Dimensions[2];
        if (labels.Dimensions[0] != count)
            throw new IdxFormatException($"{labelsPath}: {labels.Dimensions[0]} labels, but {imagesPath} has {count} images");
        int classes = 10;
        for (int i = 0; i < labels.Data.Length; i++)
            if (labels.Data[i] >= classes)
                throw new IdxFormatException($"{labelsPath}: label {labels.Data[i]} of item {i} (offset {8 + i}) is not a digit class 0–9");
        var pixels = new float[images.Data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images.Data[i] / 255f;
        return new ImageDataset(name, pixels, labels.Data, 1, height, width, classes);
    }
}
