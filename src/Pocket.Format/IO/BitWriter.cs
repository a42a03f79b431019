namespace Pocket.Format.IO;

/// <summary>
/// Appends bit fields least-significant bit first (the DEFLATE convention): field bit 0 goes to the lowest
/// free bit of the current byte. The final byte is padded with zero bits, which readers check.
/// </summary>
internal sealed class BitWriter
{
    private byte[] _bytes = new byte[64];
    private int _byteCount;
    private ulong _pending;
    private int _pendingBits;

    /// <summary>Bits written so far.</summary>
    public long BitCount => (long)_byteCount * 8 + _pendingBits;

    /// <summary>Writes the low <paramref name="bitCount"/> (0..32) bits of <paramref name="value"/>.</summary>
    public void Write(uint value, int bitCount)
    {
        if ((uint)bitCount > 32) throw new ArgumentOutOfRangeException(nameof(bitCount));
        if (bitCount == 0) return;
        ulong masked = value & (bitCount == 32 ? uint.MaxValue : (1u << bitCount) - 1);
        _pending |= masked << _pendingBits;
        _pendingBits += bitCount;
        while (_pendingBits >= 8)
        {
            if (_byteCount == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
            _bytes[_byteCount++] = (byte)_pending;
            _pending >>= 8;
            _pendingBits -= 8;
        }
    }

    /// <summary>The bytes written, the last one zero-padded.</summary>
    public byte[] ToArray()
    {
        var result = new byte[_byteCount + (_pendingBits > 0 ? 1 : 0)];
        _bytes.AsSpan(0, _byteCount).CopyTo(result);
        if (_pendingBits > 0) result[^1] = (byte)_pending;
        return result;
    }
}
