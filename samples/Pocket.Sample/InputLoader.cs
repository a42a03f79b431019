using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Pocket.Sample;

/// <summary>Gets one CHW sample: a raw float32 file, an image from an IDX file (MNIST), or a synthetic digit.</summary>
internal static class InputLoader
{
    /// <summary>
    /// <paramref name="spec"/> is "path.f32" (raw little-endian float32, exactly C·H·W values),
    /// "path-idx3-ubyte[.gz][:index]" (an IDX image file; pixels scaled to [0,1]) or null for a synthetic "1".
    /// </summary>
    public static float[] Load(string? spec, int length)
    {
        if (spec is null) return SyntheticOne(length);

        string path = spec;
        int index = 0;
        int colon = spec.LastIndexOf(':');
        if (colon > 1 && int.TryParse(spec.AsSpan(colon + 1), out int parsed))
        {
            path = spec[..colon];
            index = parsed;
        }

        if (path.Contains("idx3", StringComparison.Ordinal)) return FromIdx(path, index, length);

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != length * sizeof(float))
            throw new InvalidDataException($"{path} holds {bytes.Length} bytes; the model needs {length} float32 values ({length * 4} bytes)");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static float[] FromIdx(string path, int index, int length)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new BinaryReader(stream);
        int magic = BigEndian(reader), count = BigEndian(reader), rows = BigEndian(reader), cols = BigEndian(reader);
        if (magic != 0x803) throw new InvalidDataException($"{path} is not an IDX image file");
        if (rows * cols != length) throw new InvalidDataException($"{path} has {rows}x{cols} images; the model needs {length} values");
        if ((uint)index >= (uint)count) throw new InvalidDataException($"{path} has {count} images, no image {index}");
        for (int i = 0; i < index; i++) reader.ReadBytes(length);
        return reader.ReadBytes(length).Select(b => b / 255f).ToArray();
    }

    private static int BigEndian(BinaryReader reader)
    {
        byte[] b = reader.ReadBytes(4);
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }

    private static float[] SyntheticOne(int length)
    {
        var values = new float[length];
        int side = (int)Math.Sqrt(length);
        if (side * side != length) return values;
        for (int y = 5; y < side - 5; y++) values[y * side + side / 2] = 1f; // a vertical stroke
        return values;
    }
}
