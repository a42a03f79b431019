using Pocket.Format.IO;

namespace Pocket.Format.Huffman;

/// <summary>
/// Stores a Huffman code's length table compactly: a sequence of 5-bit tokens, LSB-first. Tokens 0..16 give
/// the code length of the next symbol (0 = unused); token 17 is followed by a 16-bit field r and stands for
/// r + 1 unused symbols. Codebooks rarely use every symbol of a large alphabet (e.g. a 2^16 relative-index
/// alphabet), so zero runs keep the table small; a dense 256-symbol table costs 160 bytes.
/// </summary>
internal static class CodeLengthTable
{
    public const int TokenBits = 5;
    public const int ZeroRunToken = 17;
    public const int ZeroRunBits = 16;

    // A run token costs 21 bits; 5 literal zeros cost 25, so runs start paying off at 5.
    private const int MinRun = 5;

    public static byte[] Write(ReadOnlySpan<byte> lengths)
    {
        var writer = new BitWriter();
        int i = 0;
        while (i < lengths.Length)
        {
            if (lengths[i] == 0)
            {
                int run = 1;
                while (i + run < lengths.Length && lengths[i + run] == 0 && run < 1 << ZeroRunBits) run++;
                if (run >= MinRun)
                {
                    writer.Write(ZeroRunToken, TokenBits);
                    writer.Write((uint)(run - 1), ZeroRunBits);
                    i += run;
                    continue;
                }
            }
            writer.Write(lengths[i], TokenBits);
            i++;
        }
        return writer.ToArray();
    }

    /// <summary>
    /// Parses a table for <paramref name="alphabetSize"/> symbols into the used symbols and their lengths. Returns null
    /// and sets <paramref name="problem"/> for a malformed table (bad token, run past the alphabet, truncated,
    /// non-zero padding, trailing bytes).
    /// </summary>
    public static UsedCodeLengths? Read(ReadOnlySpan<byte> table, int alphabetSize, out string problem)
    {
        // Each used symbol costs one 5-bit token, so a table of T bytes names at most 8T/5 of them: the arrays are
        // sized by the bytes present, never by the (up to 65,537-symbol) alphabet the header declares.
        int capacity = (int)Math.Min(alphabetSize, (long)table.Length * 8 / TokenBits);
        var symbols = new int[capacity];
        var lengths = new byte[capacity];
        int used = 0;
        var reader = new BitReader(table);
        int i = 0;
        while (i < alphabetSize)
        {
            uint token = reader.Read(TokenBits);
            if (token <= CanonicalHuffmanCode.MaxCodeLength)
            {
                // A token read past the table end is zero bits (length 0), so used < capacity while not overrun.
                if (token != 0 && used < capacity)
                {
                    symbols[used] = i;
                    lengths[used++] = (byte)token;
                }
                i++;
            }
            else if (token == ZeroRunToken)
            {
                long run = reader.Read(ZeroRunBits) + 1L;
                if (i + run > alphabetSize) { problem = $"has a zero run of {run} past the alphabet end ({alphabetSize} symbols)"; return null; }
                i += (int)run;
            }
            else { problem = $"has invalid token {token}"; return null; }
            if (reader.IsOverrun) { problem = "is truncated"; return null; }
        }
        if (!reader.RestIsZero() || (reader.BitPosition + 7) / 8 != table.Length)
        {
            problem = "has trailing bytes or non-zero padding bits";
            return null;
        }
        problem = "";
        return used == capacity ? new UsedCodeLengths(symbols, lengths) : new UsedCodeLengths(symbols[..used], lengths[..used]);
    }
}
