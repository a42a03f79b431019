using Pocket.Format.IO;

namespace Pocket.Format;

/// <summary>
/// Reads and writes .pocket files: a model's graph, metadata and compressed tensors in one checksummed,
/// self-describing file (docs/format.md).
/// </summary>
public static class PocketFile
{
    public const string Extension = ".pocket";

    /// <summary>The file bytes for <paramref name="model"/>. Throws ArgumentException if the model breaks a format rule.</summary>
    public static byte[] Encode(PocketModel model, PocketWriteOptions? options = null) =>
        PocketFileWriter.Encode(model, options ?? PocketWriteOptions.Default);

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: the bytes go to a temporary file in
    /// the same directory, are flushed to disk, and the temporary file is renamed over the target. On any
    /// failure the temporary file is removed and an existing file at <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, PocketModel model, PocketWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Encode(model, options); // encode first: an invalid model never touches the disk
        AtomicFileWriter.Write(path, bytes);
    }

    /// <summary>Parses and validates a whole file held in memory.</summary>
    /// <param name="sourceName">Names the bytes in error messages.</param>
    /// <param name="verifyChecksums">False skips the CRC checks (for fuzzing the structural validation; all other checks stay).</param>
    /// <exception cref="PocketFormatException">Anything is wrong with the bytes.</exception>
    public static PocketModel Decode(ReadOnlySpan<byte> data, string sourceName = "<memory>", bool verifyChecksums = true) =>
        PocketFileReader.Read(data, sourceName, verifyChecksums, reports: null, out _);

    /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
    public static PocketModel Read(string path) => Decode(ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Validates a file and reports its sections and each tensor's coded sizes and entropy bounds.</summary>
    public static PocketFileReport Inspect(ReadOnlySpan<byte> data, string sourceName = "<memory>")
    {
        var tensors = new List<TensorReport>();
        PocketFileReader.Read(data, sourceName, verifyChecksums: true, tensors, out var report);
        return report!;
    }

    /// <inheritdoc cref="Inspect(ReadOnlySpan{byte}, string)"/>
    public static PocketFileReport Inspect(string path) => Inspect(ReadAllBytes(path), Path.GetFileName(path));

    private static byte[] ReadAllBytes(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > Array.MaxLength)
            throw new PocketFormatException(Path.GetFileName(path), "file", "length", 0, $"{stream.Length} exceeds the {Array.MaxLength}-byte limit of a .pocket file");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
