using System.Buffers.Binary;
using System.IO.Compression;
using Pocket.Training.Data;

namespace Pocket.Fuzz;

/// <summary>
/// The IDX seed corpus: slices of the bundled MNIST and Fashion-MNIST test files (1–3 items, so a seed is under a
/// few KB), raw and gzip-compressed, labels (rank 1) and images (rank 3), plus a tiny synthetic file.
/// </summary>
public static class IdxSeeds
{
    public static void Write(string directory, string repoRoot)
    {
        Directory.CreateDirectory(directory);
        foreach (string dataset in new[] { "mnist", "fashion-mnist" })
        {
            string folder = Path.Combine(repoRoot, "data", dataset);
            var images = IdxFile.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), 3);
            var labels = IdxFile.Read(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), 1);
            byte[] oneImage = Slice(images, 1), twoImages = Slice(images, 2), threeLabels = Slice(labels, 3);
            Save(directory, $"{dataset}-images-1.idx", oneImage, gzip: false);
            Save(directory, $"{dataset}-images-2.idx.gz", twoImages, gzip: true);
            Save(directory, $"{dataset}-labels-3.idx", threeLabels, gzip: false);
            Save(directory, $"{dataset}-labels-3.idx.gz", threeLabels, gzip: true);
        }
        Save(directory, "synthetic-2x3x3.idx", Idx([2, 3, 3], Enumerable.Range(0, 18).Select(i => (byte)(i * 14)).ToArray()), gzip: false);
    }

    /// <summary>The first <paramref name="items"/> items of an IDX tensor, as an IDX file.</summary>
    private static byte[] Slice(IdxFile.Content content, int items)
    {
        int[] dims = [items, .. content.Dimensions[1..]];
        int itemBytes = content.Dimensions[1..].Aggregate(1, (a, d) => a * d);
        return Idx(dims, content.Data.AsSpan(0, items * itemBytes).ToArray());
    }

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dims.Length));
        return bytes;
    }

    private static void Save(string directory, string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(directory, name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.SmallestSize);
        z.Write(bytes);
    }
}
