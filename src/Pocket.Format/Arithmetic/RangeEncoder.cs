namespace Pocket.Format.Arithmetic;

/// <summary>
/// Binary range encoder with byte-wise renormalisation and carry propagation (the LZMA scheme: a 32-bit range,
/// a 33-bit low, pending 0xFF bytes held until a carry is known). The decoder is <see cref="RangeDecoder"/>;
/// the bit-exact arithmetic is in docs/format.md §5.5.
/// </summary>
internal sealed class RangeEncoder
{
    private const uint TopValue = 1u << 24;

    private readonly List<byte> _output = [];
    private ulong _low;
    private uint _range = uint.MaxValue;
    private byte _cache;
    private long _cacheSize = 1;

    /// <summary>Codes <paramref name="bit"/> with P(0) = <paramref name="probabilityOfZero"/> / 2^15.</summary>
    public void Encode(int bit, uint probabilityOfZero)
    {
        uint bound = (_range >> AdaptiveBit.ProbabilityBits) * probabilityOfZero;
        if (bit == 0) _range = bound;
        else
        {
            _low += bound;
            _range -= bound;
        }
        while (_range < TopValue)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    /// <summary>
    /// Ends the stream. The final value is the number in [low, low + range) with the most trailing zero bytes,
    /// and trailing zero bytes are not stored (the decoder reads bytes past the end as zeros); the first byte
    /// the scheme emits is always 0 and is not stored either.
    /// </summary>
    public byte[] Finish()
    {
        for (int k = 4; k >= 1; k--)
        {
            ulong mask = (1UL << (8 * k)) - 1;
            ulong x = (_low + mask) & ~mask;
            if (x < _low + _range) { _low = x; break; }
        }
        for (int i = 0; i < 5; i++) ShiftLow();
        int end = _output.Count;
        while (end > 1 && _output[end - 1] == 0) end--;
        // _output[0] is the scheme's leading zero byte: the coded value stays below the initial range, 2^32 − 1.
        if (_output[0] != 0) throw new InvalidOperationException("range encoder: leading byte is not zero");
        return end <= 1 ? [] : _output.GetRange(1, end - 1).ToArray();
    }

    private void ShiftLow()
    {
        if (_low < 0xFF000000UL || _low > uint.MaxValue)
        {
            byte carry = (byte)(_low >> 32);
            byte pending = _cache;
            do
            {
                _output.Add(unchecked((byte)(pending + carry)));
                pending = 0xFF;
            } while (--_cacheSize != 0);
            _cache = (byte)(_low >> 24);
        }
        _cacheSize++;
        _low = (_low & 0x00FFFFFFUL) << 8;
    }
}
