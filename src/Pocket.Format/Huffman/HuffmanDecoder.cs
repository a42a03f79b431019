using System.Numerics;
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

    /// <summary>A decoder for the used symbols of a table that passed <see cref="CanonicalHuffmanCode.Check"/>.</summary>
    public HuffmanDecoder(UsedCodeLengths code)
    {
        ReadOnlySpan<byte> lengths = code.Lengths;
        int used = code.Count;
        foreach (byte len in lengths)
        {
            _countPerLength[len]++;
            _maxLength = Math.Max(_maxLength, len);
        }
        // The primary table is also capped by the number of codes (2^⌈log2 used⌉ + 1 ≤ 4·used entries), so a code of
        // a few symbols with one long code does not allocate 2 K entries; codes longer than the cap take the
        // secondary path, which is exact for any cap ≥ 1.
        int usedBits = used <= 1 ? 1 : 32 - BitOperations.LeadingZeroCount((uint)(used - 1)) + 1;
        _primaryBits = Math.Min(Math.Min(PrimaryBits, Math.Max(1, _maxLength)), usedBits);
        _primary = new uint[1 << _primaryBits];

        uint c = 0;
        int index = 0;
        for (int len = 1; len <= CanonicalHuffmanCode.MaxCodeLength; len++)
        {
            c = (c + (uint)_countPerLength[len - 1]) << 1;
            _firstCode[len] = c;
            _firstIndex[len] = index;
            index += _countPerLength[len];
        }
        var reversed = new uint[used];
        CanonicalHuffmanCode.AssignReversedCodes(lengths, reversed);
        // Symbols in canonical order (by length, then symbol) — the secondary path indexes into this.
        _symbolsByCode = new int[used];
        Span<int> fill = stackalloc int[CanonicalHuffmanCode.MaxCodeLength + 1];
        _firstIndex.CopyTo(fill);
        for (int u = 0; u < used; u++)
        {
            int len = lengths[u], s = code.Symbols[u];
            _symbolsByCode[fill[len]++] = s;
            if (len <= _primaryBits)
            {
                uint entry = ((uint)s << 5) | (uint)len;
                for (uint i = reversed[u]; i < _primary.Length; i += 1u << len) _primary[i] = entry;
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
