using Pocket.Training.Data;

namespace Pocket.Training.Tests;

/// <summary>The bundled MNIST, loaded once for all tests, and small slices of it.</summary>
public static class TestData
{
    private static readonly Lazy<DatasetSplit> Mnist = new(() => DatasetCatalog.Load("mnist"));

    public static DatasetSplit MnistFull => Mnist.Value;

    /// <summary>The first <paramref name="train"/> training and <paramref name="test"/> test images.</summary>
    public static DatasetSplit MnistSlice(int train = 2000, int test = 1000) =>
        new("mnist", Mnist.Value.Train.Take(train), Mnist.Value.Test.Take(test));

    public static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), $"pocket-test-{Guid.NewGuid():N}{extension}");
}
