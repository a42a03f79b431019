using CsCheck;
using Pocket.Format.Huffman;
using Pocket.Format.IO;
using Pocket.Format.Streams;
using static Pocket.Format.Tests.StoredStreams;

namespace Pocket.Format.Tests;

public class HuffmanTests
{
    private static void AssertRoundTrip(int[] symbols, int alphabet, StreamCodingChoice choice, StreamCoding? expectedCoding = null)
    {
        byte[] bytes = WriteStream(symbols, alphabet, choice);
        Assert.Equal(symbols, ReadStream(bytes, symbols.Length, alphabet, out var stored));
        if (expectedCoding is { } c) Assert.Equal(c, stored.Coding);
    }

    [Fact]
    public void Random_streams_round_trip_in_both_codings()
    {
        var gen = Gen.Int[1, 300].SelectMany(alphabet =>
            Gen.Select(Gen.Const(alphabet), Gen.Int[0, alphabet - 1].Array[0, 2000], Gen.Double[0.5, 4]));
        gen.Sample((alphabet, uniform, skew) =>
        {
            // Skew the uniform draws so some symbols dominate and others are rare.
            var symbols = uniform.Select(s => (int)(alphabet * Math.Pow((double)s / alphabet, skew))).ToArray();
            AssertRoundTrip(symbols, alphabet, StreamCodingChoice.Huffman, symbols.Length > 0 ? StreamCoding.Huffman : StreamCoding.FixedWidth);
            AssertRoundTrip(symbols, alphabet, StreamCodingChoice.FixedWidth, StreamCoding.FixedWidth);
            AssertRoundTrip(symbols, alphabet, StreamCodingChoice.Smallest);
        }, iter: 200);
    }

    [Fact]
    public void Smallest_never_loses_to_fixed_width()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            int alphabet = rng.Next(1, 1000);
            var symbols = Enumerable.Range(0, rng.Next(0, 3000)).Select(_ => Math.Min(alphabet - 1, (int)(rng.NextDouble() * rng.NextDouble() * alphabet))).ToArray();
            Assert.True(WriteStream(symbols, alphabet, StreamCodingChoice.Smallest).Length <= WriteStream(symbols, alphabet, StreamCodingChoice.FixedWidth).Length);
        }
    }

    [Fact]
    public void Empty_stream_is_zero_payload_bytes()
    {
        byte[] bytes = WriteStream([], 17, StreamCodingChoice.Huffman);
        Assert.Equal(5, bytes.Length); // coding byte + u32 length 0
        Assert.Empty(ReadStream(bytes, 0, 17, out var stored));
        Assert.Equal(StreamCoding.FixedWidth, stored.Coding);
    }

    [Fact]
    public void One_symbol_stream_costs_one_bit_per_symbol()
    {
        var symbols = Enumerable.Repeat(5, 1000).ToArray();
        var lengths = HuffmanCodeLengths.Build(SymbolStream.Histogram(symbols, 300), 16);
        Assert.Equal(1, lengths[5]);
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.SingleSymbol, CanonicalHuffmanCode.Check(lengths));
        AssertRoundTrip(symbols, 300, StreamCodingChoice.Huffman, StreamCoding.Huffman);
        AssertRoundTrip([0], 1, StreamCodingChoice.Huffman, StreamCoding.Huffman);
    }

    [Fact]
    public void Fibonacci_frequencies_hit_the_length_limit_and_round_trip()
    {
        // Fibonacci weights make a plain Huffman tree as deep as the alphabet (here 39 levels).
        var frequencies = new long[40];
        frequencies[0] = frequencies[1] = 1;
        for (int i = 2; i < frequencies.Length; i++) frequencies[i] = frequencies[i - 1] + frequencies[i - 2];
        var lengths = HuffmanCodeLengths.Build(frequencies, CanonicalHuffmanCode.MaxCodeLength);
        Assert.Equal(16, lengths.Max());
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.Complete, CanonicalHuffmanCode.Check(lengths));

        // A stream with that shape, scaled down, exercises the decoder's secondary (long code) path.
        var symbols = new List<int>();
        for (int s = 0; s < 40; s++) symbols.AddRange(Enumerable.Repeat(s, (int)Math.Min(frequencies[s], 1 + frequencies[s] / 5000)));
        var shuffled = symbols.OrderBy(_ => Random.Shared.Next()).ToArray();
        var scaledLengths = HuffmanCodeLengths.Build(SymbolStream.Histogram(shuffled, 40), 16);
        Assert.True(scaledLengths.Max() > HuffmanDecoder.PrimaryBits);
        AssertRoundTrip(shuffled, 40, StreamCodingChoice.Huffman, StreamCoding.Huffman);
    }

    [Fact]
    public void Full_16_bit_alphabet_round_trips()
    {
        var rng = new Random(11);
        var symbols = Enumerable.Range(0, 70000).Select(i => i < 65536 ? i : rng.Next(65536)).ToArray();
        AssertRoundTrip(symbols, 65536, StreamCodingChoice.Huffman, StreamCoding.Huffman);
        // 65537 distinct symbols cannot have codes of ≤ 16 bits: the writer falls back to fixed width.
        var all = Enumerable.Range(0, 65537).ToArray();
        AssertRoundTrip(all, 65537, StreamCodingChoice.Huffman, StreamCoding.FixedWidth);
    }

    [Fact]
    public void Coded_size_is_between_entropy_and_entropy_plus_one_bit_per_symbol()
    {
        Gen.Select(Gen.Int[1, 64], Gen.Int[1, 5000], Gen.Double[0.2, 6], Gen.Int).Sample((alphabet, count, skew, seed) =>
        {
            var rng = new Random(seed);
            var symbols = Enumerable.Range(0, count).Select(_ => (int)(alphabet * Math.Pow(rng.NextDouble(), skew))).ToArray();
            var report = StreamReport.From(symbols, alphabet, default);
            Assert.True(report.HuffmanPayloadBits >= report.EntropyBits - 1e-6, $"{report.HuffmanPayloadBits} < H {report.EntropyBits}");
            Assert.True(report.HuffmanPayloadBits <= report.EntropyBits + count + 1e-6, $"{report.HuffmanPayloadBits} > H {report.EntropyBits} + {count}");
        }, iter: 300);
    }

    [Fact]
    public void Length_table_validation()
    {
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.OverSubscribed, CanonicalHuffmanCode.Check([1, 1, 1]));
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.Incomplete, CanonicalHuffmanCode.Check([1, 2]));
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.Incomplete, CanonicalHuffmanCode.Check([0, 2, 0]));
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.Empty, CanonicalHuffmanCode.Check([0, 0]));
        Assert.Equal(CanonicalHuffmanCode.KraftStatus.Complete, CanonicalHuffmanCode.Check([1, 2, 2]));
        Assert.Throws<ArgumentException>(() => CanonicalHuffmanCode.FromLengths([1, 1, 1]));
    }

    [Fact]
    public void Over_subscribed_table_in_a_stream_is_a_format_error()
    {
        // Hand-made Huffman block: three symbols of length 1.
        var table = new BitWriter();
        foreach (int len in new[] { 1, 1, 1 }) table.Write((uint)len, 5);
        var w = new ByteWriter();
        w.WriteByte(1);
        byte[] t = table.ToArray();
        w.WriteUInt32((uint)t.Length);
        w.WriteBytes(t);
        w.WriteUInt32(1);
        w.WriteByte(0);
        byte[] bytes = w.ToArray();
        var ex = Assert.Throws<PocketFormatException>(() => ReadStream(bytes, 3, 3, out _));
        Assert.Contains("over-subscribed", ex.Message);
        Assert.Equal(5, ex.Offset);
    }

    [Fact]
    public void Canonical_codes_follow_the_deflate_rule()
    {
        // RFC 1951 §3.2.2 example: lengths (3,3,3,3,3,2,4,4) → codes 010,011,100,101,110,00,1110,1111.
        var code = CanonicalHuffmanCode.FromLengths([3, 3, 3, 3, 3, 2, 4, 4]);
        uint[] expected = [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111];
        for (int s = 0; s < 8; s++) Assert.Equal(expected[s], CanonicalHuffmanCode.Reverse(code.ReversedCodes[s], code.Lengths[s]));
    }

    [Fact]
    public void Skewed_300k_symbol_stream_round_trips()
    {
        // Its decoding speed is a benchmark (bench/Pocket.Bench CodingBenchmarks, bench/results/coding.md), not a test.
        var rng = new Random(5);
        var symbols = Enumerable.Range(0, 300_000).Select(_ => (int)(257 * Math.Pow(rng.NextDouble(), 3))).ToArray();
        AssertRoundTrip(symbols, 257, StreamCodingChoice.Huffman, StreamCoding.Huffman);
    }
}
