using System.Numerics;
using Pocket.Format.Huffman;
using Pocket.Format.IO;

namespace Pocket.Format.Streams;

/// <summary>Where and how a stream was stored, for reports.</summary>
internal readonly record struct StoredStream(StreamCoding Coding, long StoredBytes, long TableBytes, long PayloadBytes);

/// <summary>
/// One stream of symbols (weight codes or relative indices) in a tensor section. Layout:
/// <code>
/// u8  coding              0 = fixed width, 1 = Huffman
/// fixed:   u32 payloadBytes, payload (count symbols × w bits, LSB-first, w = FixedWidth(alphabet))
/// Huffman: u32 tableBytes, table (CodeLengthTable), u32 payloadBytes, payload (codes, LSB-first)
/// </code>
/// The symbol count and alphabet size come from the tensor header, not from the stream.
/// </summary>
internal static class SymbolStream
{
    /// <summary>Bits per symbol in fixed width: ⌈log2 alphabet⌉, at least 1 so a count always costs bytes.</summary>
    public static int FixedWidth(int alphabetSize) =>
        alphabetSize <= 2 ? 1 : 32 - BitOperations.LeadingZeroCount((uint)(alphabetSize - 1));

    public static long FixedPayloadBytes(long count, int alphabetSize) => (count * FixedWidth(alphabetSize) + 7) / 8;

    public static long[] Histogram(ReadOnlySpan<int> symbols, int alphabetSize)
    {
        var frequencies = new long[alphabetSize];
        foreach (int s in symbols) frequencies[s]++;
        return frequencies;
    }

    public static int UsedSymbols(ReadOnlySpan<long> frequencies)
    {
        int used = 0;
        foreach (long f in frequencies) if (f > 0) used++;
        return used;
    }

    public static void Write(ByteWriter output, ReadOnlySpan<int> symbols, int alphabetSize, StreamCodingChoice choice)
    {
        int width = FixedWidth(alphabetSize);
        long fixedBytes = FixedPayloadBytes(symbols.Length, alphabetSize);
        if (choice != StreamCodingChoice.FixedWidth && symbols.Length > 0)
        {
            var frequencies = Histogram(symbols, alphabetSize);
            if (UsedSymbols(frequencies) <= 1 << CanonicalHuffmanCode.MaxCodeLength)
            {
                var code = CanonicalHuffmanCode.FromLengths(HuffmanCodeLengths.Build(frequencies, CanonicalHuffmanCode.MaxCodeLength));
                byte[] table = CodeLengthTable.Write(code.Lengths);
                long huffmanBytes = 4 + table.Length + (code.PayloadBits(frequencies) + 7) / 8;
                if (choice == StreamCodingChoice.Huffman || huffmanBytes < fixedBytes)
                {
                    var bits = new BitWriter();
                    foreach (int s in symbols) bits.Write(code.ReversedCodes[s], code.Lengths[s]);
                    output.WriteByte((byte)StreamCoding.Huffman);
                    output.WriteUInt32((uint)table.Length);
                    output.WriteBytes(table);
                    byte[] payload = bits.ToArray();
                    output.WriteUInt32(checked((uint)payload.Length));
                    output.WriteBytes(payload);
                    return;
                }
            }
        }
        var fixedBits = new BitWriter();
        foreach (int s in symbols) fixedBits.Write((uint)s, width);
        byte[] fixedPayload = fixedBits.ToArray();
        output.WriteByte((byte)StreamCoding.FixedWidth);
        output.WriteUInt32(checked((uint)fixedPayload.Length));
        output.WriteBytes(fixedPayload);
    }

    /// <summary>
    /// Reads a stream of <paramref name="count"/> symbols over <paramref name="alphabetSize"/>. Every length is
    /// checked against the section end, and the count against what the payload bytes can hold (≥ 1 bit per
    /// symbol in both codings), before the symbol array is allocated.
    /// </summary>
    public static int[] Read(ref SectionReader reader, long count, int alphabetSize, string name, out StoredStream stored)
    {
        int start = reader.Position;
        byte coding = reader.ReadByte($"{name} coding");
        if (coding == (byte)StreamCoding.FixedWidth)
        {
            int lengthAt = reader.Position;
            uint payloadBytes = reader.ReadUInt32($"{name} length");
            if (payloadBytes > reader.Remaining) throw reader.Fail($"{name} length", lengthAt, $"{payloadBytes} exceeds section end ({reader.Remaining} bytes left)");
            long expected = FixedPayloadBytes(count, alphabetSize);
            if (payloadBytes != expected) throw reader.Fail($"{name} length", lengthAt, $"{payloadBytes} does not match {count} symbols × {FixedWidth(alphabetSize)} bits ({expected} bytes)");
            var payload = reader.ReadBytes(payloadBytes, $"{name} payload");
            var symbols = new int[count];
            var bits = new BitReader(payload);
            int width = FixedWidth(alphabetSize);
            for (int i = 0; i < symbols.Length; i++)
            {
                uint s = bits.Read(width);
                if (s >= (uint)alphabetSize) throw reader.Fail($"{name} symbol {i}", lengthAt + 4 + (bits.BitPosition - width) / 8, $"is {s}, not below the alphabet size {alphabetSize}");
                symbols[i] = (int)s;
            }
            if (!bits.RestIsZero()) throw reader.Fail($"{name} padding", reader.Position - 1, "has non-zero bits");
            stored = new StoredStream(StreamCoding.FixedWidth, reader.Position - start, 0, payloadBytes);
            return symbols;
        }
        if (coding != (byte)StreamCoding.Huffman) throw reader.Fail($"{name} coding", start, $"{coding} is unknown (0 = fixed width, 1 = Huffman)");
        if (count == 0) throw reader.Fail($"{name} coding", start, "is Huffman for an empty stream (must be fixed width)");

        int tableAt = reader.Position;
        uint tableBytes = reader.ReadUInt32($"{name} Huffman table length");
        if (tableBytes > reader.Remaining) throw reader.Fail($"{name} Huffman table length", tableAt, $"{tableBytes} exceeds section end ({reader.Remaining} bytes left)");
        var table = reader.ReadBytes(tableBytes, $"{name} Huffman table");
        var lengths = CodeLengthTable.Read(table, alphabetSize, out string problem) ?? throw reader.Fail($"{name} Huffman table", tableAt + 4, problem);
        var status = CanonicalHuffmanCode.Check(lengths.Lengths);
        if (status is not (CanonicalHuffmanCode.KraftStatus.Complete or CanonicalHuffmanCode.KraftStatus.SingleSymbol))
            throw reader.Fail($"{name} Huffman table", tableAt + 4, status switch
            {
                CanonicalHuffmanCode.KraftStatus.OverSubscribed => "is not a prefix code (over-subscribed: Kraft sum > 1)",
                CanonicalHuffmanCode.KraftStatus.Incomplete => "is an incomplete code (Kraft sum < 1)",
                CanonicalHuffmanCode.KraftStatus.Empty => "has no symbols",
                _ => "has a code longer than 16 bits",
            });

        int payloadAt = reader.Position;
        uint huffmanBytes = reader.ReadUInt32($"{name} length");
        if (huffmanBytes > reader.Remaining) throw reader.Fail($"{name} length", payloadAt, $"{huffmanBytes} exceeds section end ({reader.Remaining} bytes left)");
        if (count > (long)huffmanBytes * 8) throw reader.Fail($"{name} length", payloadAt, $"{huffmanBytes} bytes cannot hold {count} symbols of at least 1 bit");
        var huffmanPayload = reader.ReadBytes(huffmanBytes, $"{name} payload");
        var decoded = new int[count];
        var decoder = new HuffmanDecoder(lengths);
        var input = new BitReader(huffmanPayload);
        for (int i = 0; i < decoded.Length; i++)
        {
            int s = decoder.Decode(ref input);
            if (s < 0) throw reader.Fail($"{name} symbol {i}", payloadAt + 4 + input.BitPosition / 8, "is not a code of the Huffman table");
            if (input.IsOverrun) throw reader.Fail($"{name} symbol {i}", payloadAt + 4 + huffmanBytes, "runs past the stream end (stream truncated)");
            decoded[i] = s;
        }
        if (!input.RestIsZero() || (input.BitPosition + 7) / 8 != huffmanBytes)
            throw reader.Fail($"{name} padding", payloadAt + 4 + input.BitPosition / 8, "has trailing bytes or non-zero padding bits");
        stored = new StoredStream(StreamCoding.Huffman, reader.Position - start, tableBytes, huffmanBytes);
        return decoded;
    }
}
