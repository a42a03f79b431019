namespace Pocket.Format.Arithmetic;

/// <summary>
/// The decoder of <see cref="RangeEncoder"/>. Bytes past the end of the payload read as zero (the encoder drops
/// trailing zeros); <see cref="BytesConsumed"/> counts them too, so the reader can tell a payload with bytes
/// the code never used.
/// </summary>
internal ref struct RangeDecoder
{
    private const uint TopValue = 1u << 24;

    private readonly ReadOnlySpan<byte> _payload;
    private uint _range;
    private uint _code;
    private long _position;

    public RangeDecoder(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _range = uint.MaxValue;
        for (int i = 0; i < 4; i++) _code = (_code << 8) | NextByte();
    }

    public readonly long BytesConsumed => _position;

    public int Decode(uint probabilityOfZero)
    {
        uint bound = (_range >> AdaptiveBit.ProbabilityBits) * probabilityOfZero;
        int bit;
        if (_code < bound)
        {
            _range = bound;
            bit = 0;
        }
        else
        {
            _code -= bound;
            _range -= bound;
            bit = 1;
        }
        while (_range < TopValue)
        {
            _range <<= 8;
            _code = (_code << 8) | NextByte();
        }
        return bit;
    }

    private uint NextByte()
    {
        uint b = _position < _payload.Length ? _payload[(int)_position] : 0u;
        _position++;
        return b;
    }
}
