using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Pocket.Format.IO;

/// <summary>Appends little-endian fields to a growable buffer (the writer-side mirror of <see cref="SectionReader"/>).</summary>
internal sealed class ByteWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public int Length => _buffer.WrittenCount;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteUInt16(ushort value) { BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value); _buffer.Advance(2); }
    public void WriteUInt32(uint value) { BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); }
    public void WriteInt32(int value) { BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); }
    public void WriteUInt64(ulong value) { BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); }

    /// <summary>Writes the float's exact bit pattern (NaN payloads and -0.0 survive).</summary>
    public void WriteSingle(float value) => WriteUInt32(BitConverter.SingleToUInt32Bits(value));

    public void WriteSingles(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) WriteBytes(MemoryMarshal.AsBytes(values));
        else foreach (float v in values) WriteSingle(v);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteZeros(int count)
    {
        if (count <= 0) return;
        _buffer.GetSpan(count)[..count].Clear();
        _buffer.Advance(count);
    }

    /// <summary>A string as a u16 byte length and UTF-8 bytes.</summary>
    public void WriteShortString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt16(checked((ushort)bytes.Length));
        WriteBytes(bytes);
    }

    /// <summary>A string as a u32 byte length and UTF-8 bytes.</summary>
    public void WriteLongString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt32((uint)bytes.Length);
        WriteBytes(bytes);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
