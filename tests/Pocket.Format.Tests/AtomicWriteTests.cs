using Pocket.Format.IO;

namespace Pocket.Format.Tests;

public sealed class AtomicWriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pocket-format-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_then_read_gives_the_model_back()
    {
        string path = Path.Combine(_dir, "model.pocket");
        var model = TestModels.Small();
        PocketFile.Write(path, model);
        TestModels.AssertIdentical(model, PocketFile.Read(path));
        Assert.Equal(PocketFile.Encode(model), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Invalid_model_leaves_the_previous_file_intact()
    {
        string path = Path.Combine(_dir, "model.pocket");
        PocketFile.Write(path, TestModels.Small());
        byte[] before = File.ReadAllBytes(path);
        var bad = TestModels.WithTensors(new DenseTensor("d", [3], [1f]));
        Assert.Throws<ArgumentException>(() => PocketFile.Write(path, bad));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Failure_after_the_temp_file_is_written_leaves_the_previous_file_intact()
    {
        string path = Path.Combine(_dir, "model.pocket");
        PocketFile.Write(path, TestModels.Small());
        byte[] before = File.ReadAllBytes(path);
        string? temp = null;
        Assert.Throws<IOException>(() => AtomicFileWriter.Write(path, new byte[] { 1, 2, 3 }, t =>
        {
            temp = t;
            Assert.True(File.Exists(t));
            Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(t));
            throw new IOException("simulated crash before rename");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(temp));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Rename_failure_cleans_up_the_temp_file()
    {
        string path = Path.Combine(_dir, "taken");
        Directory.CreateDirectory(path); // a directory where the file should go: the rename fails
        Assert.ThrowsAny<Exception>(() => PocketFile.Write(path, TestModels.Small()));
        Assert.True(Directory.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Reading_a_missing_file_is_an_io_error_not_a_format_error() =>
        Assert.Throws<FileNotFoundException>(() => PocketFile.Read(Path.Combine(_dir, "missing.pocket")));
}
