using System.Buffers.Binary;
using System.IO.Compression;

namespace Pocket.Training.Data;

/// <summary>
/// Reads the IDX files MNIST and Fashion-MNIST ship in (raw or gzip-compressed). IDX is big-endian:
/// two zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then one 32-bit size per dimension,
/// then the data. Every count is checked against the bytes actually present before anything is allocated
/// from it, so a lying header is refused instead of causing a huge allocation.
/// </summary>
public static class IdxFile
{
    /// <summary>Upper bound on a decompressed IDX file: far above MNIST (47 MB) yet small enough to refuse a gzip bomb.</summary>
    public const long MaxDecompressedBytes = 512L * 1024 * 1024;

    /// <summary>An IDX tensor of unsigned bytes.</summary>
    public sealed record Content(int[] Dimensions, byte[] Data);

    /// <summary>Reads an unsigned-byte IDX file with the given number of dimensions.</summary>
    public static Content Read(string path, int expectedRank)
    {
        if (!File.Exists(path)) throw new IdxFormatException($"{path}: file not found");
        byte[] bytes = ReadAllBytesMaybeGzip(path);
        return Parse(bytes, path, expectedRank);
    }

    /// <summary>Parses IDX bytes; <paramref name="source"/> names the file in error messages.</summary>
    public static Content Parse(ReadOnlySpan<byte> bytes, string source, int expectedRank)
    {
        if (bytes.Length < 4) throw new IdxFormatException($"{source}: {bytes.Length} bytes is too short for an IDX header (need 4)");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new IdxFormatException($"{source}: bad magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8} at offset 0 (an IDX file starts with two zero bytes)");
        if (bytes[2] != 0x08)
            throw new IdxFormatException($"{source}: data type 0x{bytes[2]:X2} at offset 2 is not unsigned byte (0x08)");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new IdxFormatException($"{source}: {rank} dimensions at offset 3, expected {expectedRank}");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new IdxFormatException($"{source}: truncated header: {bytes.Length} bytes, the {rank} dimension sizes need {headerLength}");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
                throw new IdxFormatException($"{source}: dimension {d} has size {size} at offset {4 + 4 * d}");
            dims[d] = (int)size;
            count *= size;
            if (count > bytes.Length) break; // cannot possibly be satisfied; reported below without overflow
        }
        long available = bytes.Length - headerLength;
        if (count != available)
            throw new IdxFormatException(count > available
                ? $"{source}: truncated: header declares {string.Join('×', dims)} = {count} bytes of data, file has {available}"
                : $"{source}: {available - count} trailing bytes after the {count} bytes of data the header declares");
        return new Content(dims, bytes[headerLength..].ToArray());
    }

    private static byte[] ReadAllBytesMaybeGzip(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        bool gzip = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!gzip)
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                throw new IdxFormatException($"{path}: not a gzip file (no gzip magic 1F 8B at offset 0)");
            return raw;
        }
        try
        {
            using var input = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                if (output.Length > MaxDecompressedBytes)
                    throw new IdxFormatException($"{path}: decompresses to more than {MaxDecompressedBytes} bytes; refusing");
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException($"{path}: corrupt gzip data ({e.Message.TrimEnd('.')})");
        }
    }
}
