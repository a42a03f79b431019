using System.Buffers.Binary;
using System.IO.Compression;
using Pocket.Training.Data;

namespace Pocket.Training.Tests.Data;

public class IdxFileTests
{
    private static byte[] Idx(byte type, params int[] dims)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        var bytes = new byte[4 + 4 * dims.Length + count];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        for (long i = 0; i < count; i++) bytes[4 + 4 * dims.Length + i] = (byte)(i % 251);
        return bytes;
    }

    private static string Write(byte[] bytes, bool gzip, string? name = null)
    {
        string path = TestData.TempFile(name ?? (gzip ? ".gz" : ".idx"));
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_raw_and_gzip_files(bool gzip)
    {
        var bytes = Idx(0x08, 3, 4, 5);
        var content = IdxFile.Read(Write(bytes, gzip), 3);
        Assert.Equal([3, 4, 5], content.Dimensions);
        Assert.Equal(bytes.AsSpan(16).ToArray(), content.Data);
    }

    [Fact]
    public void Truncated_file_names_the_file_and_the_counts()
    {
        var bytes = Idx(0x08, 10, 28, 28);
        string path = Write(bytes[..^7], gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path, 3));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("7840", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Wrong_magic_is_refused_with_its_offset()
    {
        var bytes = Idx(0x08, 2, 2);
        bytes[0] = 0x12;
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "x.idx", 2));
        Assert.Contains("magic", e.Message);
        Assert.Contains("offset 0", e.Message);
    }

    [Fact]
    public void Wrong_type_and_wrong_rank_are_refused()
    {
        Assert.Contains("data type", Assert.Throws<IdxFormatException>(() => IdxFile.Parse(Idx(0x0D, 2, 2), "x", 2)).Message);
        Assert.Contains("dimensions", Assert.Throws<IdxFormatException>(() => IdxFile.Parse(Idx(0x08, 2, 2), "x", 3)).Message);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var bytes = Idx(0x08, 4).Concat(new byte[3]).ToArray();
        Assert.Contains("trailing", Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "x", 1)).Message);
    }

    [Fact]
    public void A_lying_header_does_not_allocate_what_it_claims()
    {
        var bytes = Idx(0x08, 1, 1, 1);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), int.MaxValue);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), int.MaxValue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<IdxFormatException>(() => IdxFile.Parse(bytes, "x", 3));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip_is_refused()
    {
        string path = Write(Idx(0x08, 3), gzip: false, name: ".gz");
        Assert.Contains("not a gzip file", Assert.Throws<IdxFormatException>(() => IdxFile.Read(path, 1)).Message);
    }

    [Fact]
    public void Corrupt_gzip_is_refused()
    {
        string path = Write(Idx(0x08, 100, 100), gzip: true);
        var bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 8; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path, 2));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        Assert.Contains("file not found", Assert.Throws<IdxFormatException>(() => IdxFile.Read("/nonexistent/x.gz", 1)).Message);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"pocket-idx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), Idx(0x08, 5, 28, 28));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), Idx(0x08, 4).Select((b, i) => i >= 8 ? (byte)(b % 10) : b).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), Idx(0x08, 5, 28, 28));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), Idx(0x08, 5).Select((b, i) => i >= 8 ? (byte)(b % 10) : b).ToArray());
        var e = Assert.Throws<IdxFormatException>(() => DatasetCatalog.Load(dir));
        Assert.Contains("4 labels", e.Message);
        Assert.Contains("5 images", e.Message);
    }

    [Theory]
    [InlineData("mnist")]
    [InlineData("fashion-mnist")]
    public void Bundled_datasets_load_whole(string name)
    {
        var data = DatasetCatalog.Load(name);
        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal(28, data.Train.Height);
        Assert.InRange(data.Train.Pixels.Max(), 0.99f, 1f);
        Assert.Equal(10, data.Train.Labels.Distinct().Count());
    }

    [Fact]
    public void Unknown_dataset_name_is_one_line()
    {
        var e = Assert.Throws<IdxFormatException>(() => DatasetCatalog.Load("cifar-9"));
        Assert.Contains("unknown dataset", e.Message);
    }
}
