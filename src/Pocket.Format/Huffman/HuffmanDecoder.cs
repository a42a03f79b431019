using Pocket.Format.IO;

namespace Pocket.Format.Huffman;

/// <summary>
/// Table-driven decoder for a <see cref="CanonicalHuffmanCode"/>. A primary table indexed by the next
/// <see cref="PrimaryBits"/> bits (2 K entries) resolves every code of up to 11 bits in one lookup — in
/// practice nearly all symbols, since long codes are rare by construction. Longer codes take a secondary
/// path: the canonical "first code per length" comparison over the remaining (at most 5) lengths, which
/// needs no per-code table at all.
/// </summary>
internal sealed class HuffmanDecoder
{
    public const int PrimaryBits = 11;

    // Entry: (symbol << 5) | length; 0 means "no code of ≤ primary bits starts with these bits".
    private readonly uint[] _primary;
    private readonly int _primaryBits;
    private readonly int _maxLength;
    private readonly uint[] _firstCode = new uint[CanonicalHuffmanCode.MaxCodeLength + 1];
    private readonly int[] _countPerLength = new int[CanonicalHuffmanCode.MaxCodeLength + 1];
    private readonly int[] _firstIndex = new int[CanonicalHuffmanCode.MaxCodeLength + 1];
    private readonly int[] _symbolsByCode;

    public HuffmanDecoder(CanonicalHuffmanCode code)
    {
        _maxLength = code.MaxLength;
        _primaryBits = Math.Min(PrimaryBits, Math.Max(1, _maxLength));
        _primary = new uint[1 << _primaryBits];
        var lengths = code.Lengths;

        int used = 0;
        foreach (byte len in lengths) if (len != 0) { _countPerLength[len]++; used++; }
        uint c = 0;
        int index = 0;
        for (int len = 1; len <= CanonicalHuffmanCode.MaxCodeLength; len++)
        {
            c = (c + (uint)_countPerLength[len - 1]) << 1;
            _firstCode[len] = c;
            _firstIndex[len] = index;
            index += _countPerLength[len];
        }
        // Symbols in canonical order (by length, then symbol) — the secondary path indexes into this.
        _symbolsByCode = new int[used];
        var fill = (int[])_firstIndex.Clone();
        for (int s = 0; s < lengths.Length; s++)
        {
            int len = lengths[s];
            if (len == 0) continue;
            _symbolsByCode[fill[len]++] = s;
            if (len <= _primaryBits)
            {
                uint entry = ((uint)s << 5) | (uint)len;
                for (uint i = code.ReversedCodes[s]; i < _primary.Length; i += 1u << len) _primary[i] = entry;
            }
        }
    }

    /// <summary>Decodes one symbol, or returns -1 for a bit pattern that is no code (only possible in a one-symbol code).</summary>
    public int Decode(ref BitReader reader)
    {
        uint bits = reader.Peek(CanonicalHuffmanCode.MaxCodeLength);
        uint entry = _primary[bits & (uint)(_primary.Length - 1)];
        if (entry != 0)
        {
            reader.Skip((int)(entry & 31));
            return (int)(entry >> 5);
        }
        // Secondary path: rebuild the code MSB-first and compare with each longer length's code range.
        uint code = 0;
        for (int len = 1; len <= _maxLength; len++)
        {
            code = (code << 1) | ((bits >> (len - 1)) & 1);
            if (len <= _primaryBits) continue;
            uint offset = code - _firstCode[len];
            if (offset < (uint)_countPerLength[len])
            {
                reader.Skip(len);
                return _symbolsByCode[_firstIndex[len] + (int)offset];
            }
        }
        return -1;
    }
}
