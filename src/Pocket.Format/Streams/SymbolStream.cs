using System.Numerics;
using Pocket.Format.Arithmetic;
using Pocket.Format.Huffman;
using Pocket.Format.IO;

namespace Pocket.Format.Streams;

/// <summary>Where and how a stream was stored, for reports.</summary>
internal readonly record struct StoredStream(StreamCoding Coding, long StoredBytes, long TableBytes, long PayloadBytes);

/// <summary>
/// One stream of symbols (weight codes or relative indices) in a tensor section. Layout:
/// <code>
/// u8  coding              0 = fixed width, 1 = Huffman, 2 = adaptive binary
/// fixed:    u32 payloadBytes, payload (count symbols × w bits, LSB-first, w = FixedWidth(alphabet))
/// Huffman:  u32 tableBytes, table (CodeLengthTable), u32 payloadBytes, payload (codes, LSB-first)
/// adaptive: u8 context model, u8 halving exponent, u32 payloadBytes, payload (range coder, AdaptiveBinaryCode)
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

    /// <summary>Writes the stream in the coding <paramref name="choice"/> selects and returns that coding.</summary>
    public static StreamCoding Write(ByteWriter output, ReadOnlySpan<int> symbols, int alphabetSize, StreamCodingChoice choice)
    {
        long fixedBytes = 5 + FixedPayloadBytes(symbols.Length, alphabetSize);
        byte[]? huffmanTable = null;
        CanonicalHuffmanCode? huffman = null;
        long huffmanBytes = long.MaxValue;
        AdaptiveCandidate? adaptive = null;
        if (choice != StreamCodingChoice.FixedWidth && symbols.Length > 0)
        {
            var frequencies = Histogram(symbols, alphabetSize);
            if (UsedSymbols(frequencies) <= 1 << CanonicalHuffmanCode.MaxCodeLength)
            {
                huffman = CanonicalHuffmanCode.FromLengths(HuffmanCodeLengths.Build(frequencies, CanonicalHuffmanCode.MaxCodeLength));
                huffmanTable = CodeLengthTable.Write(huffman.Lengths);
                huffmanBytes = 9 + huffmanTable.Length + (huffman.PayloadBits(frequencies) + 7) / 8;
            }
            if (choice is StreamCodingChoice.Smallest or StreamCodingChoice.AdaptiveBinary) adaptive = SmallestAdaptive(symbols, alphabetSize);
        }
        long adaptiveBytes = adaptive is null ? long.MaxValue : 7 + adaptive.Value.Payload.Length;

        StreamCoding coding = choice switch
        {
            StreamCodingChoice.FixedWidth => StreamCoding.FixedWidth,
            StreamCodingChoice.Huffman when huffman is not null => StreamCoding.Huffman,
            StreamCodingChoice.AdaptiveBinary when adaptive is not null => StreamCoding.AdaptiveBinary,
            // Smallest, or a forced coding this stream cannot use: the fewest bytes, ties to the simpler coding.
            _ => adaptiveBytes < Math.Min(fixedBytes, huffmanBytes) ? StreamCoding.AdaptiveBinary
                : huffmanBytes < fixedBytes ? StreamCoding.Huffman : StreamCoding.FixedWidth,
        };
        output.WriteByte((byte)coding);
        switch (coding)
        {
            case StreamCoding.Huffman:
            {
                var bits = new BitWriter();
                foreach (int s in symbols) bits.Write(huffman!.ReversedCodes[s], huffman.Lengths[s]);
                output.WriteUInt32((uint)huffmanTable!.Length);
                output.WriteBytes(huffmanTable);
                byte[] payload = bits.ToArray();
                output.WriteUInt32(checked((uint)payload.Length));
                output.WriteBytes(payload);
                return coding;
            }
            case StreamCoding.AdaptiveBinary:
            {
                var a = adaptive!.Value;
                output.WriteByte((byte)a.Model);
                output.WriteByte(a.HalvingExponent);
                output.WriteUInt32(checked((uint)a.Payload.Length));
                output.WriteBytes(a.Payload);
                return coding;
            }
            default:
            {
                int width = FixedWidth(alphabetSize);
                var fixedBits = new BitWriter();
                foreach (int s in symbols) fixedBits.Write((uint)s, width);
                byte[] fixedPayload = fixedBits.ToArray();
                output.WriteUInt32(checked((uint)fixedPayload.Length));
                output.WriteBytes(fixedPayload);
                return coding;
            }
        }
    }

    private readonly record struct AdaptiveCandidate(ContextModel Model, byte HalvingExponent, byte[] Payload);

    /// <summary>
    /// The smallest adaptive coding over the context models and halving exponents the writer tries, or null when
    /// none is allowed for this alphabet or every payload is under 1 bit per symbol (a reader refuses those: its
    /// allocation bound counts on ≥ 1 bit per symbol).
    /// </summary>
    private static AdaptiveCandidate? SmallestAdaptive(ReadOnlySpan<int> symbols, int alphabetSize)
    {
        AdaptiveCandidate? best = null;
        foreach (var model in (ReadOnlySpan<ContextModel>)[ContextModel.None, ContextModel.PreviousSymbol])
        {
            if (AdaptiveBinaryCode.ContextCount(model, alphabetSize) > AdaptiveBinaryCode.MaxContexts) continue;
            foreach (byte exponent in AdaptiveBinaryCode.WriterHalvingExponents)
            {
                byte[] payload = AdaptiveBinaryCode.Encode(symbols, alphabetSize, model, exponent);
                if (symbols.Length > payload.LongLength * 8 || !AdaptiveBinaryCode.IsAllowed(model, alphabetSize, payload.Length)) continue;
                if (best is null || payload.Length < best.Value.Payload.Length) best = new AdaptiveCandidate(model, exponent, payload);
            }
        }
        return best;
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
        if (coding == (byte)StreamCoding.AdaptiveBinary) return ReadAdaptive(ref reader, count, alphabetSize, name, start, out stored);
        if (coding != (byte)StreamCoding.Huffman) throw reader.Fail($"{name} coding", start, $"{coding} is unknown (0 = fixed width, 1 = Huffman, 2 = adaptive binary)");
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

    private static int[] ReadAdaptive(ref SectionReader reader, long count, int alphabetSize, string name, int start, out StoredStream stored)
    {
        if (count == 0) throw reader.Fail($"{name} coding", start, "is adaptive binary for an empty stream (must be fixed width)");
        int modelAt = reader.Position;
        var model = (ContextModel)reader.ReadByte($"{name} context model");
        if (!Enum.IsDefined(model)) throw reader.Fail($"{name} context model", modelAt, $"{(byte)model} is unknown (0 = none, 1 = previous symbol)");
        int exponentAt = reader.Position;
        byte exponent = reader.ReadByte($"{name} halving exponent");
        if (exponent is < AdaptiveBinaryCode.MinHalvingExponent or > AdaptiveBinaryCode.MaxHalvingExponent)
            throw reader.Fail($"{name} halving exponent", exponentAt, $"{exponent} is not in {AdaptiveBinaryCode.MinHalvingExponent}..{AdaptiveBinaryCode.MaxHalvingExponent}");
        int payloadAt = reader.Position;
        uint payloadBytes = reader.ReadUInt32($"{name} length");
        if (payloadBytes > reader.Remaining) throw reader.Fail($"{name} length", payloadAt, $"{payloadBytes} exceeds section end ({reader.Remaining} bytes left)");
        if (!AdaptiveBinaryCode.IsAllowed(model, alphabetSize, payloadBytes))
            throw reader.Fail($"{name} context model", modelAt,
                $"{model} needs {AdaptiveBinaryCode.ContextCount(model, alphabetSize)} contexts for {alphabetSize} symbols, more than {AdaptiveBinaryCode.MaxContexts} or than the {payloadBytes} payload bytes");
        if (count > (long)payloadBytes * 8) throw reader.Fail($"{name} length", payloadAt, $"{payloadBytes} bytes cannot hold {count} symbols at the required ≥ 1 bit each");
        var payload = reader.ReadBytes(payloadBytes, $"{name} payload");
        var decoded = new int[count];
        long bad = AdaptiveBinaryCode.Decode(payload, alphabetSize, model, exponent, decoded, out long consumed);
        if (bad >= 0) throw reader.Fail($"{name} symbol {bad}", payloadAt + 4 + Math.Min(consumed, payloadBytes), $"decodes to a value not below the alphabet size {alphabetSize}");
        if (payloadBytes > consumed) throw reader.Fail($"{name} payload", payloadAt + 4 + consumed, $"has {payloadBytes - consumed} trailing bytes the code does not use");
        if (payloadBytes > 0 && payload[^1] == 0) throw reader.Fail($"{name} payload", payloadAt + 4 + payloadBytes - 1, "ends with a zero byte (trailing zeros are implicit and must not be stored)");
        stored = new StoredStream(StreamCoding.AdaptiveBinary, reader.Position - start, 2, payloadBytes);
        return decoded;
    }
}
