using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Pocket.Format.IO;

/// <summary>Where errors are reported from: the source name and the section being parsed (mutable as parsing advances).</summary>
internal sealed class ErrorContext(string sourceName)
{
    public string SourceName { get; } = sourceName;
    public string Section { get; set; } = "header";

    public PocketFormatException Fail(string field, long offset, string problem) =>
        new(SourceName, Section, field, offset, problem);
}

/// <summary>
/// A bounds-checked little-endian cursor over one region [position, end) of the file, in the spirit of the
/// System.Formats.Tar / Utf8JsonReader span readers: every read checks the region end first and reports a
/// <see cref="PocketFormatException"/> with the absolute offset of the field. Nothing is allocated until its
/// size has been checked against the bytes that remain.
/// </summary>
internal ref struct SectionReader
{
    private readonly ReadOnlySpan<byte> _file;
    private readonly int _end;
    private int _position;

    public SectionReader(ReadOnlySpan<byte> file, int start, int end, ErrorContext errors)
    {
        _file = file;
        _position = start;
        _end = end;
        Errors = errors;
    }

    public ErrorContext Errors { get; }
    public readonly int Position => _position;
    public readonly int End => _end;
    public readonly int Remaining => _end - _position;

    public readonly PocketFormatException Fail(string field, string problem) => Errors.Fail(field, _position, problem);
    public readonly PocketFormatException Fail(string field, long offset, string problem) => Errors.Fail(field, offset, problem);

    private void Need(long count, string field)
    {
        if (count > Remaining)
            throw Fail(field, count <= 8 ? "is truncated: section ends" : $"length {count} exceeds section end ({Remaining} bytes left)");
    }

    public byte ReadByte(string field) { Need(1, field); return _file[_position++]; }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        ushort v = BinaryPrimitives.ReadUInt16LittleEndian(_file.Slice(_position, 2));
        _position += 2;
        return v;
    }

    public uint ReadUInt32(string field)
    {
        Need(4, field);
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_file.Slice(_position, 4));
        _position += 4;
        return v;
    }

    public int ReadInt32(string field) => unchecked((int)ReadUInt32(field));

    public ulong ReadUInt64(string field)
    {
        Need(8, field);
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_file.Slice(_position, 8));
        _position += 8;
        return v;
    }

    public float ReadSingle(string field) => BitConverter.UInt32BitsToSingle(ReadUInt32(field));

    /// <summary>Reads <paramref name="count"/> raw bytes; the count is checked before anything is sliced.</summary>
    public ReadOnlySpan<byte> ReadBytes(long count, string field)
    {
        if (count < 0) throw Fail(field, $"length {count} is negative");
        Need(count, field);
        var bytes = _file.Slice(_position, (int)count);
        _position += (int)count;
        return bytes;
    }

    /// <summary>Reads <paramref name="count"/> float32 values bit-exactly, checking 4·count bytes remain before allocating.</summary>
    public float[] ReadSingles(long count, string field)
    {
        if (count < 0 || count * 4 > Remaining) throw Fail(field, $"count {count} (×4 bytes) exceeds section end ({Remaining} bytes left)");
        var bytes = ReadBytes(count * 4, field);
        var values = new float[count];
        if (BitConverter.IsLittleEndian) bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        else for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]));
        return values;
    }

    /// <summary>A u16-length UTF-8 string of at most <paramref name="maxBytes"/> bytes (strict: invalid UTF-8 is rejected).</summary>
    public string ReadShortString(string field, int maxBytes, bool allowEmpty)
    {
        int at = _position;
        ushort length = ReadUInt16(field + " length");
        if (length > maxBytes) throw Fail(field + " length", at, $"{length} exceeds the limit of {maxBytes} bytes");
        if (length == 0 && !allowEmpty) throw Fail(field + " length", at, "is 0 (must not be empty)");
        return DecodeUtf8(ReadBytes(length, field), field, at + 2);
    }

    /// <summary>A u32-length UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadLongString(string field, int maxBytes)
    {
        int at = _position;
        uint length = ReadUInt32(field + " length");
        if (length > maxBytes) throw Fail(field + " length", at, $"{length} exceeds the limit of {maxBytes} bytes");
        return DecodeUtf8(ReadBytes(length, field), field, at + 4);
    }

    private readonly string DecodeUtf8(ReadOnlySpan<byte> bytes, string field, long offset)
    {
        if (!Utf8.IsValid(bytes)) throw Fail(field, offset, "is not valid UTF-8");
        return Encoding.UTF8.GetString(bytes);
    }
}
