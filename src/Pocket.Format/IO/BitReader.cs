using System.Buffers.Binary;

namespace Pocket.Format.IO;

/// <summary>
/// Reads bit fields least-significant bit first over a byte span (the mirror of <see cref="BitWriter"/>).
/// Peeking past the end yields zero bits instead of throwing, so a table-driven decoder can always look
/// ahead a full code length; callers check <see cref="IsOverrun"/> after consuming, which is how a truncated
/// stream is detected without a bounds check per byte.
/// </summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _bitPosition;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _bitPosition = 0;
    }

    public readonly long BitPosition => _bitPosition;
    public readonly long BitLength => (long)_data.Length * 8;

    /// <summary>True once more bits were consumed than the span holds.</summary>
    public readonly bool IsOverrun => _bitPosition > BitLength;

    /// <summary>The next <paramref name="bitCount"/> (0..32) bits without consuming them; zeros past the end.</summary>
    public readonly uint Peek(int bitCount)
    {
        long byteIndex = _bitPosition >> 3;
        int shift = (int)(_bitPosition & 7);
        ulong window;
        if (byteIndex + 8 <= _data.Length)
        {
            window = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice((int)byteIndex, 8));
        }
        else
        {
            window = 0;
            for (int i = 0; i < 8; i++)
            {
                long at = byteIndex + i;
                if (at >= _data.Length) break;
                window |= (ulong)_data[(int)at] << (8 * i);
            }
        }
        window >>= shift;
        return bitCount >= 32 ? (uint)window : (uint)window & ((1u << bitCount) - 1);
    }

    public void Skip(int bitCount) => _bitPosition += bitCount;

    public uint Read(int bitCount)
    {
        uint value = Peek(bitCount);
        _bitPosition += bitCount;
        return value;
    }

    /// <summary>True when every bit after the current position (the final byte's padding) is zero.</summary>
    public readonly bool RestIsZero()
    {
        if (_bitPosition >= BitLength) return true;
        long byteIndex = _bitPosition >> 3;
        int shift = (int)(_bitPosition & 7);
        if ((_data[(int)byteIndex] >> shift) != 0) return false;
        return !_data[(int)(byteIndex + 1)..].ContainsAnyExcept((byte)0);
    }
}
