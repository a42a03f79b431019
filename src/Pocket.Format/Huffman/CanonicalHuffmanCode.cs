namespace Pocket.Format.Huffman;

/// <summary>
/// A canonical Huffman code: fully determined by the code length of each symbol, so only the lengths are
/// stored. Codes are assigned in order of (length, symbol), each length's first code following the last
/// code of the previous length shifted left (the DEFLATE rule, RFC 1951 §3.2.2). Codes are sent most
/// significant bit first inside an LSB-first bit stream, so <see cref="ReversedCodes"/> holds them bit-reversed,
/// ready for <see cref="IO.BitWriter.Write"/>.
/// </summary>
internal sealed class CanonicalHuffmanCode
{
    /// <summary>The longest code the format allows. 16 bits keeps a decoder peek within one 32-bit read.</summary>
    public const int MaxCodeLength = 16;

    private CanonicalHuffmanCode(byte[] lengths, uint[] reversedCodes, int maxLength)
    {
        Lengths = lengths;
        ReversedCodes = reversedCodes;
        MaxLength = maxLength;
    }

    public byte[] Lengths { get; }
    public uint[] ReversedCodes { get; }
    public int MaxLength { get; }
    public int AlphabetSize => Lengths.Length;

    /// <summary>How a length table measures against the Kraft inequality.</summary>
    public enum KraftStatus { Complete, SingleSymbol, Empty, Incomplete, OverSubscribed, TooLong }

    /// <summary>
    /// Checks that <paramref name="lengths"/> describe a usable prefix code. Valid: a complete code (Kraft sum
    /// exactly 1), or a single symbol of length 1. Over-subscribed codes are ambiguous; incomplete ones leave
    /// bit patterns that decode to nothing, which a canonical writer never produces.
    /// </summary>
    public static KraftStatus Check(ReadOnlySpan<byte> lengths)
    {
        long kraft = 0; // in units of 2^-MaxCodeLength
        int used = 0;
        foreach (byte len in lengths)
        {
            if (len == 0) continue;
            if (len > MaxCodeLength) return KraftStatus.TooLong;
            used++;
            kraft += 1L << (MaxCodeLength - len);
        }
        if (used == 0) return KraftStatus.Empty;
        if (kraft > 1L << MaxCodeLength) return KraftStatus.OverSubscribed;
        if (used == 1) return lengths.IndexOf((byte)1) >= 0 ? KraftStatus.SingleSymbol : KraftStatus.Incomplete;
        return kraft == 1L << MaxCodeLength ? KraftStatus.Complete : KraftStatus.Incomplete;
    }

    /// <summary>Builds the code for lengths that passed <see cref="Check"/> (Complete or SingleSymbol).</summary>
    public static CanonicalHuffmanCode FromLengths(byte[] lengths)
    {
        var status = Check(lengths);
        if (status is not (KraftStatus.Complete or KraftStatus.SingleSymbol))
            throw new ArgumentException($"code lengths are not a valid prefix code ({status})", nameof(lengths));
        int maxLength = 0;
        foreach (byte len in lengths) maxLength = Math.Max(maxLength, len);
        var reversed = new uint[lengths.Length];
        AssignReversedCodes(lengths, reversed);
        return new CanonicalHuffmanCode(lengths, reversed, maxLength);
    }

    /// <summary>
    /// The canonical codes, bit-reversed, of symbols with the given lengths listed in increasing symbol order (entries
    /// of length 0 get none). The order is all that matters, so a reader can pass only the used symbols' lengths.
    /// </summary>
    public static void AssignReversedCodes(ReadOnlySpan<byte> lengths, Span<uint> reversed)
    {
        Span<int> countPerLength = stackalloc int[MaxCodeLength + 1];
        foreach (byte len in lengths)
            if (len != 0) countPerLength[len]++;
        Span<uint> nextCode = stackalloc uint[MaxCodeLength + 2];
        uint code = 0;
        for (int len = 1; len <= MaxCodeLength; len++)
        {
            code = (code + (uint)countPerLength[len - 1]) << 1;
            nextCode[len] = code;
        }
        for (int s = 0; s < lengths.Length; s++)
        {
            int len = lengths[s];
            reversed[s] = len == 0 ? 0 : Reverse(nextCode[len]++, len);
        }
    }

    /// <summary>Total payload bits for a stream with the given symbol frequencies.</summary>
    public long PayloadBits(ReadOnlySpan<long> frequencies)
    {
        long bits = 0;
        for (int s = 0; s < frequencies.Length; s++) bits += frequencies[s] * Lengths[s];
        return bits;
    }

    /// <summary>The low <paramref name="length"/> bits of <paramref name="code"/> in reverse order.</summary>
    public static uint Reverse(uint code, int length)
    {
        uint r = 0;
        for (int i = 0; i < length; i++)
        {
            r = (r << 1) | (code & 1);
            code >>= 1;
        }
        return r;
    }
}
