using Pocket.Training.Data;

namespace Pocket.Web.Tests;

/// <summary>Test images of the bundled datasets, as the console sees them (bytes / 255) and as a file a person drops (BMP).</summary>
public sealed class TestDigits
{
    private readonly IdxFile.Content _images;

    private readonly string _dataset;

    private TestDigits(string dataset)
    {
        _dataset = dataset;
        string folder = Path.Combine(PublishedPage.RepoRoot, "data", dataset);
        _images = IdxFile.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), expectedRank: 3);
    }

    public static TestDigits Mnist { get; } = new("mnist");
    public static TestDigits FashionMnist { get; } = new("fashion-mnist");

    private const int Side = 28;

    private ReadOnlySpan<byte> Bytes(int index) => _images.Data.AsSpan(index * Side * Side, Side * Side);

    /// <summary>The input `pocket run` gives the network for this image.</summary>
    public float[] Input(int index)
    {
        var bytes = Bytes(index);
        var input = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) input[i] = bytes[i] / 255f;
        return input;
    }

    /// <summary>The image as a 24-bit BMP (gray in all three channels), which every browser decodes without colour management.</summary>
    public string WriteBmp(int index, string folder)
    {
        var pixels = Bytes(index);
        const int rowBytes = Side * 3; // 84: already a multiple of 4, so rows need no padding
        int size = 54 + rowBytes * Side;
        var bmp = new byte[size];
        bmp[0] = (byte)'B'; bmp[1] = (byte)'M';
        BitConverter.TryWriteBytes(bmp.AsSpan(2), size);
        BitConverter.TryWriteBytes(bmp.AsSpan(10), 54);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bmp.AsSpan(18), Side);
        BitConverter.TryWriteBytes(bmp.AsSpan(22), Side);
        BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)24);
        BitConverter.TryWriteBytes(bmp.AsSpan(34), rowBytes * Side);
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int at = 54 + (Side - 1 - y) * rowBytes + x * 3; // bottom-up rows
                bmp[at] = bmp[at + 1] = bmp[at + 2] = pixels[y * Side + x];
            }
        // Named by dataset and index: choosing a file a file input already holds fires no change event.
        string path = Path.Combine(folder, $"{_dataset}-test-{index}.bmp");
        File.WriteAllBytes(path, bmp);
        return path;
    }
}
