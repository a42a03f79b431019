using System.Buffers.Binary;
using System.IO.Compression;

namespace Pocket.Training.Data;

/// <summary>
/// Reads the IDX files MNIST and Fashion-MNIST ship in (raw or gzip-compressed). IDX is big-endian:
/// two zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then one 32-bit size per dimension,
/// then the data. Every count is checked against the bytes actually present before anything is allocated
/// from it, so a lying header is refused instead of causing a huge allocation: a raw file allocates at most its
/// own size, a gzip file at most four times what it really decompresses to (tools/fuzz/README.md).
/// </summary>
public static class IdxFile
{
    /// <summary>Upper bound on a decompressed IDX file: far above MNIST (47 MB) yet small enough to refuse a gzip bomb.</summary>
    public const long MaxDecompressedBytes = 512L * 1024 * 1024;

    /// <summary>First size of the buffer gzip data is decompressed into; it doubles as data arrives, up to the declared size.</summary>
    private const int InitialGzipBuffer = 64 * 1024;

    /// <summary>An IDX tensor of unsigned bytes.</summary>
    public sealed record Content(int[] Dimensions, byte[] Data);

    /// <summary>Reads an unsigned-byte IDX file with the given number of dimensions.</summary>
    public static Content Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new IdxFormatException($"{path}: file not found");
        byte[] bytes = File.ReadAllBytes(path);
        if (!IsGzip(bytes) && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            throw new IdxFormatException($"{path}: not a gzip file (no gzip magic 1F 8B at offset 0)");
        return Decode(bytes, path, expectedRank);
    }

    /// <summary>
    /// Parses IDX bytes that may be gzip-compressed (recognised by the gzip magic 1F 8B, which no IDX file starts with);
    /// <paramref name="source"/> names the file in error messages.
    /// </summary>
    public static Content Decode(ReadOnlySpan<byte> bytes, string source, int expectedRank) =>
        IsGzip(bytes) ? ParseGzip(bytes, source, expectedRank) : Parse(bytes, source, expectedRank);

    /// <summary>Parses raw (uncompressed) IDX bytes; <paramref name="source"/> names the file in error messages.</summary>
    public static Content Parse(ReadOnlySpan<byte> bytes, string source, int expectedRank)
    {
        int[] dims = ParseHeader(bytes, bytes.Length, source, expectedRank, out int headerLength, out long count);
        long available = bytes.Length - headerLength;
        if (count != available)
            throw new IdxFormatException(count > available
                ? $"{source}: truncated: header declares {string.Join('×', dims)} = {count} bytes of data, file has {available}"
                : $"{source}: {available - count} trailing bytes after the {count} bytes of data the header declares");
        return new Content(dims, bytes[headerLength..].ToArray());
    }

    private static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// Checks the magic, type and rank and reads the dimensions from <paramref name="header"/> (which may hold more
    /// than the header). <paramref name="totalLength"/> is the length of the whole decoded file, for messages.
    /// The declared data size is computed without overflow: once it exceeds what could be present it stops growing.
    /// </summary>
    private static int[] ParseHeader(ReadOnlySpan<byte> header, long totalLength, string source, int expectedRank, out int headerLength, out long count)
    {
        if (header.Length < 4) throw new IdxFormatException($"{source}: {totalLength} bytes is too short for an IDX header (need 4)");
        if (header[0] != 0 || header[1] != 0)
            throw new IdxFormatException($"{source}: bad magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(header):X8} at offset 0 (an IDX file starts with two zero bytes)");
        if (header[2] != 0x08)
            throw new IdxFormatException($"{source}: data type 0x{header[2]:X2} at offset 2 is not unsigned byte (0x08)");
        int rank = header[3];
        if (rank != expectedRank)
            throw new IdxFormatException($"{source}: {rank} dimensions at offset 3, expected {expectedRank}");
        headerLength = 4 + 4 * rank;
        if (header.Length < headerLength)
            throw new IdxFormatException($"{source}: truncated header: {totalLength} bytes, the {rank} dimension sizes need {headerLength}");
        var dims = new int[rank];
        count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
                throw new IdxFormatException($"{source}: dimension {d} has size {size} at offset {4 + 4 * d}");
            dims[d] = (int)size;
            // Saturate above any possible file length (2^32 > any span): no overflow, and never a false match.
            count = Math.Min(count * size, 1L << 32);
        }
        return dims;
    }

    /// <summary>
    /// Decompresses and parses in one pass. The header is decompressed first, so a wrong magic, type or rank is refused
    /// without inflating the rest; the data then goes into a buffer that grows (doubling) as bytes actually arrive and
    /// never beyond the declared size, so a header that declares gigabytes over a few bytes of data allocates nothing
    /// large, and a gzip bomb stops at the declared size (itself at most <see cref="MaxDecompressedBytes"/>).
    /// </summary>
    private static Content ParseGzip(ReadOnlySpan<byte> compressed, string source, int expectedRank)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed.ToArray(), writable: false), CompressionMode.Decompress);
            Span<byte> header = stackalloc byte[4 + 4 * 255];
            int got = input.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
            if (got >= 4 && header[3] == expectedRank)
                got += input.ReadAtLeast(header[4..(4 + 4 * expectedRank)], 4 * expectedRank, throwOnEndOfStream: false);
            int[] dims = ParseHeader(header[..got], got, source, expectedRank, out int headerLength, out long count);
            if (count > MaxDecompressedBytes)
                throw new IdxFormatException($"{source}: header declares {string.Join('×', dims)} bytes of data, more than the {MaxDecompressedBytes}-byte limit; refusing");

            var data = new byte[Math.Min(count, InitialGzipBuffer)];
            int filled = 0;
            while (true)
            {
                int n = input.Read(data, filled, data.Length - filled);
                if (n == 0) break;
                filled += n;
                if (filled == data.Length)
                {
                    if (filled == count) break;
                    Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
                }
            }
            if (filled < count)
                throw new IdxFormatException($"{source}: truncated: header declares {string.Join('×', dims)} = {count} bytes of data, the decompressed file has {filled}");
            if (input.ReadByte() >= 0)
                throw new IdxFormatException($"{source}: trailing bytes after the {count} bytes of data the header declares (decompressed)");
            return new Content(dims, data);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException($"{source}: corrupt gzip data ({e.Message.TrimEnd('.')})");
        }
    }
}
