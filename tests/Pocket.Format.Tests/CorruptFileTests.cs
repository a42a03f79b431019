using System.Buffers.Binary;
using System.Text;
using Pocket.Format.IO;

namespace Pocket.Format.Tests;

/// <summary>Every malformed input must end in a one-line PocketFormatException — never another exception type, never a hang.</summary>
public class CorruptFileTests
{
    private static readonly byte[] Small = PocketFile.Encode(TestModels.Small());
    private static readonly byte[] SmallFixed = PocketFile.Encode(TestModels.Small(), new PocketWriteOptions { StreamCoding = StreamCodingChoice.FixedWidth });

    /// <summary>Recomputes section, header and file CRCs so a deliberate corruption reaches the structural checks.</summary>
    private static byte[] FixChecksums(byte[] file)
    {
        if (file.Length < 40) return file;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(24));
        long tableEnd = 32 + (long)count * 24;
        if (tableEnd + 4 > file.Length) return file;
        for (int i = 0; i < count; i++)
        {
            var entry = file.AsSpan(32 + i * 24, 24);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]), length = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            if (offset <= (ulong)file.Length && length <= (ulong)file.Length - offset)
                BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], Crc32.Compute(file.AsSpan((int)offset, (int)length)));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(28), Crc32.Append(Crc32.Compute(file.AsSpan(0, 28)), file.AsSpan(32, (int)tableEnd - 32)));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), Crc32.Compute(file.AsSpan(0, file.Length - 4)));
        return file;
    }

    private static PocketFormatException Rejects(byte[] data, bool verifyChecksums = true)
    {
        Exception? caught = null;
        try { PocketFile.Decode(data, "model.pocket", verifyChecksums); }
        catch (Exception e) { caught = e; }
        Assert.NotNull(caught);
        var ex = Assert.IsType<PocketFormatException>(caught);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("model.pocket: ", ex.Message);
        Assert.Contains(" at offset ", ex.Message);
        Assert.InRange(ex.Offset, 0, Math.Max(0, data.Length));
        return ex;
    }

    /// <summary>Decoding may succeed (a flip in a float, say) but may only fail with PocketFormatException.</summary>
    private static void DecodesOrRejects(byte[] data, bool verifyChecksums)
    {
        try { PocketFile.Decode(data, "model.pocket", verifyChecksums); }
        catch (PocketFormatException e) { Assert.DoesNotContain('\n', e.Message); }
    }

    private static byte[] With(byte[] file, int offset, ReadOnlySpan<byte> bytes, bool fix = true)
    {
        var copy = (byte[])file.Clone();
        bytes.CopyTo(copy.AsSpan(offset));
        return fix ? FixChecksums(copy) : copy;
    }

    private static byte[] U16(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }
    private static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
    private static byte[] U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }

    public static TheoryData<string, int, byte[], string> HeaderFields => new()
    {
        { "magic", 1, [(byte)'X'], "magic" },
        { "major version", 8, U16(2), "major version" },
        { "flags", 12, U32(1), "flags" },
        { "file length", 16, U64((ulong)Small.Length + 8), "file length" },
        { "section count too small", 24, U32(1), "section count" },
        { "section count too large", 24, U32(1_000_000), "section count" },
        { "section count wrong", 24, U32(5), "entry" },
        { "entry 0 kind", 32, [9], "entry 0 kind" },
        { "entry 1 kind swapped", 32 + 24, [1], "entry 1 kind" },
        { "entry 1 reserved", 32 + 24 + 2, [1], "entry 1 reserved bytes" },
        { "entry 2 offset overlaps", 32 + 2 * 24 + 8, U64(8), "entry 2 offset" },
        { "entry 2 offset gap", 32 + 2 * 24 + 8, U64(100_000), "entry 2 offset" },
        { "entry 2 length", 32 + 2 * 24 + 16, U64(ulong.MaxValue), "entry 2 length" },
        { "last entry length", 32 + 5 * 24 + 16, U64(1), "file length" },
    };

    [Theory]
    [MemberData(nameof(HeaderFields))]
    public void Each_header_field_is_validated(string what, int offset, byte[] value, string field)
    {
        _ = what;
        var ex = Rejects(With(Small, offset, value));
        Assert.Contains(field, ex.Field);
        Assert.Contains(field, ex.Message);
        // The structural check holds without checksums too.
        Assert.Contains(field, Rejects(With(Small, offset, value), verifyChecksums: false).Field);
    }

    [Fact]
    public void Every_header_and_table_byte_altered_is_rejected()
    {
        int tableEnd = 32 + 6 * 24;
        for (int i = 0; i < tableEnd; i++)
            foreach (byte delta in new byte[] { 1, 0x80, 0xFF })
            {
                var copy = (byte[])Small.Clone();
                copy[i] ^= delta;
                Rejects(copy);
            }
    }

    [Fact]
    public void Checksums_are_checked()
    {
        Assert.Equal("header CRC", Rejects(With(Small, 28, U32(0xDEADBEEF), fix: false)).Field);
        Assert.Equal("file CRC", Rejects(With(Small, Small.Length - 4, U32(0xDEADBEEF), fix: false)).Field);
        var copy = (byte[])Small.Clone();
        copy[^20] ^= 1; // inside the last tensor section; file CRC fixed up, the section CRC left stale
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), Crc32.Compute(copy.AsSpan(0, copy.Length - 4)));
        Assert.Equal("entry 5 CRC", Rejects(copy).Field);
    }

    [Fact]
    public void Truncation_at_every_byte_is_rejected()
    {
        for (int length = 0; length < Small.Length; length++)
        {
            Rejects(Small[..length]);
            Rejects(Small[..length], verifyChecksums: false);
        }
    }

    [Fact]
    public void Truncation_at_every_section_boundary_with_consistent_header_is_rejected()
    {
        var report = PocketFile.Inspect(Small);
        var boundaries = new List<int> { 32, 32 + 6 * 24 };
        foreach (var t in report.Tensors) { boundaries.Add((int)t.SectionOffset); boundaries.Add((int)(t.SectionOffset + t.SectionBytes)); }
        foreach (int boundary in boundaries.Where(b => b + 4 < Small.Length))
        {
            // Cut the file at the boundary, append a trailer and make the declared length and CRCs agree,
            // so only the section table / section parsing can notice what is missing.
            var cut = new byte[boundary + 4];
            Small.AsSpan(0, boundary).CopyTo(cut);
            BinaryPrimitives.WriteUInt64LittleEndian(cut.AsSpan(16), (ulong)cut.Length);
            Rejects(FixChecksums(cut));
        }
    }

    [Fact]
    public void Random_byte_flips_only_ever_raise_PocketFormatException()
    {
        var rng = new Random(1234);
        foreach (var original in new[] { Small, SmallFixed })
            for (int trial = 0; trial < 1500; trial++)
            {
                var copy = (byte[])original.Clone();
                int flips = rng.Next(1, 4);
                for (int f = 0; f < flips; f++) copy[rng.Next(copy.Length)] ^= (byte)rng.Next(1, 256);
                Rejects(copy); // the whole-file CRC catches every 1..3-byte change
                DecodesOrRejects(copy, verifyChecksums: false);
                DecodesOrRejects(FixChecksums(copy), verifyChecksums: true);
            }
    }

    [Fact]
    public void Random_garbage_sections_only_ever_raise_PocketFormatException()
    {
        // Keep the container valid and randomise section bytes wholesale, to reach deep parsing paths.
        var rng = new Random(99);
        var report = PocketFile.Inspect(SmallFixed);
        for (int trial = 0; trial < 1500; trial++)
        {
            var copy = (byte[])(trial % 2 == 0 ? SmallFixed : Small).Clone();
            var t = report.Tensors[rng.Next(report.Tensors.Count)];
            int start = (int)t.SectionOffset + rng.Next((int)t.SectionBytes);
            int end = Math.Min(copy.Length - 4, start + rng.Next(1, 12));
            for (int i = start; i < end; i++) copy[i] = (byte)(rng.Next(3) == 0 ? 0xFF : rng.Next(256));
            DecodesOrRejects(FixChecksums(copy), verifyChecksums: true);
        }
    }

    private static int TensorFieldOffset(byte[] file, string name, out TensorReport report)
    {
        report = PocketFile.Inspect(file).Tensors.Single(t => t.Name == name);
        return (int)report.SectionOffset + 2 + Encoding.UTF8.GetByteCount(name) + 1 + 1 + 4 * report.Shape.Length;
    }

    [Fact]
    public void Lying_stream_length_gets_a_precise_message()
    {
        // Sparse section body: index bits (1), codebook size (4), codebook (4k), entries (4), non-zeros (4), then the index stream.
        int body = TensorFieldOffset(SmallFixed, "fc1.weight", out var t);
        int stream = body + 1 + 4 + 4 * t.CodebookSize + 8;
        var ex = Rejects(With(SmallFixed, stream + 1, U32(123456)));
        Assert.Equal("tensor 'fc1.weight' section", ex.Section);
        Assert.Equal("relative-index stream length", ex.Field);
        Assert.Equal(stream + 1, ex.Offset);
        Assert.StartsWith("model.pocket: tensor 'fc1.weight' section: relative-index stream length 123456 exceeds section end", ex.Message);
    }

    [Fact]
    public void Lying_counts_do_not_allocate()
    {
        int body = TensorFieldOffset(SmallFixed, "fc1.weight", out var t);
        int entries = body + 1 + 4 + 4 * t.CodebookSize;
        Assert.Equal("relative-index stream length", Rejects(With(SmallFixed, entries, U32(int.MaxValue))).Field);
        Assert.Equal("entry count", Rejects(With(SmallFixed, entries, U32(uint.MaxValue))).Field);
        Assert.Equal("non-zero count", Rejects(With(SmallFixed, entries + 4, U32(1000))).Field);
        Assert.Equal("codebook size", Rejects(With(SmallFixed, body + 1, U32(1_000_000))).Field);
        Assert.Equal("codebook", Rejects(With(SmallFixed, body + 1, U32(65536))).Field);
        Assert.Equal("index bits", Rejects(With(SmallFixed, body, [17])).Field);
        Assert.Equal("index bits", Rejects(With(SmallFixed, body, [0])).Field);

        int dims = body - 4 * t.Shape.Length;
        Assert.Equal("shape", Rejects(With(SmallFixed, dims, U32(int.MaxValue))).Field);
        Assert.Equal("dimension 0", Rejects(With(SmallFixed, dims, U32(uint.MaxValue))).Field);
        Assert.Equal("rank", Rejects(With(SmallFixed, dims - 1, [200])).Field);
        Assert.Equal("encoding", Rejects(With(SmallFixed, dims - 2, [7])).Field);

        int denseBody = TensorFieldOffset(SmallFixed, "fc1.bias", out _);
        Assert.Equal("values", Rejects(With(SmallFixed, denseBody - 4, U32(1 << 30))).Field);
    }

    [Fact]
    public void Decoded_positions_and_codes_are_validated()
    {
        int body = TensorFieldOffset(SmallFixed, "fc1.weight", out var t);
        int stream = body + 1 + 4 + 4 * t.CodebookSize + 8;
        // Fixed-width 3-bit relative indices; set every index to 7 (max step): positions run past the 120 elements.
        int payloadBytes = BinaryPrimitives.ReadInt32LittleEndian(SmallFixed.AsSpan(stream + 1));
        var allSevens = Enumerable.Repeat((byte)0xFF, payloadBytes).ToArray();
        int bitsUsed = (int)t.EntryCount * 3;
        if (bitsUsed % 8 != 0) allSevens[^1] = (byte)((1 << (bitsUsed % 8)) - 1);
        var ex = Rejects(With(SmallFixed, stream + 5, allSevens));
        Assert.StartsWith("relative-index entry", ex.Field);

        // A weight code ≥ codebook size + 1 (alphabet 5 needs 3 bits, so 5..7 are invalid).
        int codes = stream + 5 + payloadBytes;
        Assert.StartsWith("weight-code stream symbol", Rejects(With(SmallFixed, codes + 5, [0xFF])).Field);
        Assert.Equal("weight-code stream coding", Rejects(With(SmallFixed, codes, [3])).Field);
    }

    [Fact]
    public void Graph_references_are_validated()
    {
        var model = TestModels.Small();
        byte[] file = PocketFile.Encode(model);
        // Rename tensor 'fc1.bias' in its section (same length) so the graph's reference dangles.
        int at = IndexOf(file, Encoding.UTF8.GetBytes("fc1.bias"), start: (int)PocketFile.Inspect(file).Tensors.Single(t => t.Name == "fc1.bias").SectionOffset);
        var ex = Rejects(With(file, at, "fc1.xxxx"u8));
        Assert.Equal("graph section", ex.Section);
        Assert.Contains("names no tensor", ex.Message);

        // Node 1's input 0 (value 0) set to 1 — not an earlier node.
        int graphOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(32 + 24 + 8));
        int conv1 = IndexOf(file, "conv1"u8, graphOffset);
        var ex2 = Rejects(With(file, conv1 + 5 + 1 + 2, U32(1)));
        Assert.Equal("node 1 input 0", ex2.Field);
        Assert.Equal("node 1 op", Rejects(With(file, conv1 + 5, [200])).Field);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, int start) => start + haystack.AsSpan(start).IndexOf(needle);

    [Fact]
    public void Huffman_table_tampering_is_rejected()
    {
        var rng = new Random(2);
        var positions = Enumerable.Range(0, 3000).Where(_ => rng.NextDouble() < 0.2).ToArray();
        var codes = positions.Select(_ => (ushort)(16 * Math.Pow(rng.NextDouble(), 3))).ToArray();
        var tensor = new SparseQuantizedTensor("w", [3000], new float[16], positions, codes, 4);
        byte[] file = PocketFile.Encode(TestModels.WithTensors(tensor), new PocketWriteOptions { StreamCoding = StreamCodingChoice.Huffman });
        int body = TensorFieldOffset(file, "w", out _);
        int stream = body + 1 + 4 + 64 + 8;
        Assert.Equal(1, file[stream]); // Huffman
        // First length token (5 bits) set to 1 on top of a complete code: over-subscribed.
        var copy = (byte[])file.Clone();
        copy[stream + 5] = (byte)((copy[stream + 5] & ~31) | 1);
        var ex = Rejects(FixChecksums(copy));
        Assert.Equal("relative-index stream Huffman table", ex.Field);
        // Truncated Huffman payload length.
        int tableBytes = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(stream + 1));
        int payloadLengthAt = stream + 5 + tableBytes;
        Assert.Equal("relative-index stream length", Rejects(With(file, payloadLengthAt, U32(1))).Field);
    }
}
