using CsCheck;
using Pocket.Format.Arithmetic;
using Pocket.Format.IO;
using Pocket.Format.Streams;
using static Pocket.Format.Tests.StoredStreams;

namespace Pocket.Format.Tests;

public class AdaptiveBinaryTests
{
    private static PocketFormatException ReadFails(byte[] bytes, int count, int alphabet) =>
        Assert.Throws<PocketFormatException>(() => ReadStream(bytes, count, alphabet, out _));

    /// <summary>Symbols drawn from a skewed distribution, optionally with runs so the previous symbol predicts the next.</summary>
    private static readonly Gen<(int Alphabet, int[] Symbols)> SkewedStreams =
        Gen.Int[1, 64].SelectMany(alphabet => Gen.Select(Gen.Const(alphabet), Gen.Int[0, alphabet - 1].Array[1, 3000], Gen.Double[0.3, 5], Gen.Int[0, 3]))
            .Select((alphabet, uniform, skew, repeat) =>
            {
                var symbols = uniform.Select(s => Math.Min(alphabet - 1, (int)(alphabet * Math.Pow((double)s / alphabet, skew)))).ToArray();
                for (int i = 1; i < symbols.Length; i++) if (i % 4 < repeat) symbols[i] = symbols[i - 1];
                return (alphabet, symbols);
            });

    [Fact]
    public void Every_context_model_and_exponent_round_trips()
    {
        SkewedStreams.Sample((alphabet, symbols) =>
        {
            foreach (var model in new[] { ContextModel.None, ContextModel.PreviousSymbol })
            foreach (int exponent in new[] { 1, 4, 9, 15 })
            {
                byte[] payload = AdaptiveBinaryCode.Encode(symbols, alphabet, model, exponent);
                var decoded = new int[symbols.Length];
                Assert.Equal(-1, AdaptiveBinaryCode.Decode(payload, alphabet, model, exponent, decoded, out long consumed));
                Assert.Equal(symbols, decoded);
                Assert.True(payload.Length <= consumed, "the decoder must read every stored byte");
                if (payload.Length > 0) Assert.NotEqual(0, payload[^1]);
            }
        }, iter: 100);
    }

    [Fact]
    public void Forced_adaptive_streams_round_trip_through_the_stream_layout()
    {
        SkewedStreams.Sample((alphabet, symbols) =>
        {
            byte[] bytes = WriteStream(symbols, alphabet, StreamCodingChoice.AdaptiveBinary);
            Assert.Equal(symbols, ReadStream(bytes, symbols.Length, alphabet, out var stored));
            // Adaptive whenever a reader would accept it; the fallback only for streams it would refuse.
            byte[] payload = AdaptiveBinaryCode.Encode(symbols, alphabet, ContextModel.None, 15);
            if (symbols.Length <= payload.Length * 8L && AdaptiveBinaryCode.IsAllowed(ContextModel.None, alphabet, payload.Length))
                Assert.Equal(StreamCoding.AdaptiveBinary, stored.Coding);
        }, iter: 200);
    }

    [Fact]
    public void Smallest_never_loses_to_fixed_width_or_huffman()
    {
        SkewedStreams.Sample((alphabet, symbols) =>
        {
            int smallest = WriteStream(symbols, alphabet, StreamCodingChoice.Smallest).Length;
            Assert.True(smallest <= WriteStream(symbols, alphabet, StreamCodingChoice.FixedWidth).Length);
            Assert.True(smallest <= WriteStream(symbols, alphabet, StreamCodingChoice.Huffman).Length);
            Assert.True(smallest <= WriteStream(symbols, alphabet, StreamCodingChoice.AdaptiveBinary).Length);
        }, iter: 200);
    }

    [Fact]
    public void Previous_symbol_context_beats_huffman_on_a_markov_stream()
    {
        // Symbol i+1 is (symbol i + 1) mod 32 seven times in ten: order-0 entropy is 5 bits, order-1 about 2.3
        // (above the 1 bit a symbol a reader requires).
        var rng = new Random(5);
        var symbols = new int[20000];
        for (int i = 1; i < symbols.Length; i++) symbols[i] = rng.NextDouble() < 0.7 ? (symbols[i - 1] + 1) % 32 : rng.Next(32);
        byte[] adaptive = WriteStream(symbols, 32, StreamCodingChoice.Smallest);
        byte[] huffman = WriteStream(symbols, 32, StreamCodingChoice.Huffman);
        Assert.Equal((byte)StreamCoding.AdaptiveBinary, adaptive[0]);
        Assert.Equal((byte)ContextModel.PreviousSymbol, adaptive[1]);
        Assert.True(adaptive.Length * 3 < huffman.Length * 2, $"adaptive {adaptive.Length} B vs Huffman {huffman.Length} B");
    }

    [Fact]
    public void Adaptive_is_within_a_few_bytes_of_the_entropy_of_an_iid_stream()
    {
        var rng = new Random(9);
        var p = new[] { 0.5, 0.2, 0.15, 0.1, 0.05 };
        var symbols = Enumerable.Range(0, 50000).Select(_ =>
        {
            double u = rng.NextDouble();
            int s = 0;
            while (s < p.Length - 1 && u >= p[s]) u -= p[s++];
            return s;
        }).ToArray();
        double entropyBits = p.Sum(q => symbols.Length * q * -Math.Log2(q));
        byte[] payload = AdaptiveBinaryCode.Encode(symbols, 5, ContextModel.None, 15);
        // Learning costs about ½·log2(n) bits per binary context (7 contexts); sampling noise is a few hundred bits.
        Assert.InRange(payload.Length * 8.0, entropyBits - 1000, entropyBits + 7 * 0.5 * Math.Log2(symbols.Length) + 1000);
    }

    [Fact]
    public void Constant_stream_is_refused_below_one_bit_per_symbol()
    {
        var symbols = new int[4000]; // all zeros: the adaptive payload is a couple of bytes
        byte[] bytes = WriteStream(symbols, 16, StreamCodingChoice.AdaptiveBinary);
        Assert.NotEqual((byte)StreamCoding.AdaptiveBinary, bytes[0]);
        Assert.Equal(symbols, ReadStream(bytes, symbols.Length, 16, out _));
    }

    private static byte[] Adaptive(byte model, byte exponent, params byte[] payload)
    {
        var w = new ByteWriter();
        w.WriteByte((byte)StreamCoding.AdaptiveBinary);
        w.WriteByte(model);
        w.WriteByte(exponent);
        w.WriteUInt32((uint)payload.Length);
        w.WriteBytes(payload);
        return w.ToArray();
    }

    [Fact]
    public void Corrupt_headers_fail_with_the_field_and_offset()
    {
        Assert.Contains("context model", ReadFails(Adaptive(7, 9, 0x55), 4, 4).Message);
        Assert.Contains("halving exponent", ReadFails(Adaptive(0, 0, 0x55), 4, 4).Message);
        Assert.Contains("halving exponent", ReadFails(Adaptive(0, 16, 0x55), 4, 4).Message);
        // 65 symbols × 2^7 nodes for the previous-symbol model: more contexts than allowed, refused before allocating.
        Assert.Contains("contexts", ReadFails(Adaptive(1, 9, 0x55), 4, 65).Message);
        Assert.Contains("contexts", ReadFails(Adaptive(0, 9, 0x55), 4, 8193).Message);
        // One context per payload byte at most: 4 contexts (alphabet 4) need ≥ 4 bytes, so a lying 1-byte stream cannot make the reader allocate them.
        Assert.Contains("than the 1 payload bytes", ReadFails(Adaptive(0, 9, 0x55), 4, 4).Message);
        Assert.Contains("at the required ≥ 1 bit each", ReadFails(Adaptive(0, 9, 0x55, 0x55, 0x55, 0x55), 33, 2).Message);
        Assert.Contains("empty stream", ReadFails(Adaptive(0, 9), 0, 4).Message);
        var e = ReadFails(Adaptive(0, 9, 0x55, 0x00), 4, 2);
        Assert.Contains("ends with a zero byte", e.Message);
        Assert.Contains("offset", e.Message);
    }

    [Fact]
    public void Trailing_bytes_the_code_never_reads_are_refused()
    {
        var symbols = Enumerable.Range(0, 40).Select(i => i % 3).ToArray();
        byte[] payload = AdaptiveBinaryCode.Encode(symbols, 3, ContextModel.None, 15);
        byte[] padded = [.. payload, 1, 1, 1, 1, 1, 1, 1, 1];
        Assert.Contains("trailing bytes", ReadFails(Adaptive(0, 15, padded), symbols.Length, 3).Message);
    }

    [Fact]
    public void Random_payloads_decode_or_fail_with_one_line()
    {
        Gen.Select(Gen.Byte.Array[1, 400], Gen.Int[1, 1000], Gen.Int[1, 40], Gen.Byte[0, 1], Gen.Byte[1, 15]).Sample((payload, count, alphabet, model, exponent) =>
        {
            if (model == 1 && alphabet > 32) model = 0; // else most inputs fail on the context count alone
            try
            {
                var symbols = ReadStream(Adaptive(model, exponent, payload), count, alphabet, out _);
                Assert.All(symbols, s => Assert.InRange(s, 0, alphabet - 1));
            }
            catch (PocketFormatException e) { Assert.DoesNotContain('\n', e.Message); }
        }, iter: 2000);
    }
}

public class MinorVersionTests
{
    [Fact]
    public void A_file_is_minor_1_only_when_it_uses_adaptive_coding()
    {
        var rng = new Random(2);
        var positions = Enumerable.Range(0, 3000).Where(_ => rng.NextDouble() < 0.2).ToArray();
        var codes = positions.Select(_ => (ushort)(16 * Math.Pow(rng.NextDouble(), 2))).ToArray();
        var model = TestModels.WithTensors(new SparseQuantizedTensor("fc", [30, 100], new float[16], positions, codes, 4));
        foreach (var (choice, minor) in new[] { (StreamCodingChoice.FixedWidth, 0), (StreamCodingChoice.Huffman, 0), (StreamCodingChoice.AdaptiveBinary, 1) })
        {
            byte[] file = PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = choice });
            Assert.Equal(minor, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(10)));
            Assert.Equal(minor, PocketFile.Inspect(file).MinorVersion);
            Assert.Equal(codes, ((SparseQuantizedTensor)PocketFile.Decode(file).Tensors["fc"]).Codes);
        }
    }
}
