using System.Buffers.Binary;
using Pocket.Format.IO;
using Pocket.Format.Sparse;
using Pocket.Format.Streams;
using static Pocket.Format.PocketFormatLimits;

namespace Pocket.Format;

/// <summary>
/// Parses and validates a .pocket file (docs/format.md §6 lists what is rejected). Order: magic and version
/// first (so a wrong file gets a precise message), then lengths, then checksums, then the section table, then
/// each section. Every count is checked against the bytes left before anything is allocated.
/// </summary>
internal static class PocketFileReader
{
    private readonly record struct SectionEntry(byte Kind, uint Crc, int Offset, int Length);

    /// <summary>The model and, if requested, the per-tensor report.</summary>
    public static PocketModel Read(ReadOnlySpan<byte> data, string sourceName, bool verifyChecksums, List<TensorReport>? reports, out PocketFileReport? fileReport)
    {
        var errors = new ErrorContext(sourceName);
        var sections = ReadContainer(data, errors, verifyChecksums, out ushort minor);

        var metadata = ReadMetadata(data, sections[0], errors);
        var graph = ReadGraph(data, sections[1], errors, out var tensorReferences);

        var tensors = new Dictionary<string, PocketTensor>(StringComparer.Ordinal);
        long totalElements = 0;
        for (int i = 2; i < sections.Length; i++)
        {
            var tensor = ReadTensor(data, sections[i], i, errors, reports, ref totalElements);
            if (!tensors.TryAdd(tensor.Name, tensor))
            {
                errors.Section = $"tensor section {i}";
                throw errors.Fail("tensor name", sections[i].Offset, $"{PocketFormatException.Quote(tensor.Name)} is used by an earlier tensor");
            }
        }

        errors.Section = "graph section";
        foreach (var (node, name, offset) in tensorReferences)
            if (!tensors.ContainsKey(name))
                throw errors.Fail($"node {node} tensor reference", offset, $"{PocketFormatException.Quote(name)} names no tensor in the file");

        fileReport = reports is null ? null : new PocketFileReport(sourceName, data.Length, PocketFileLayout.MajorVersion, minor,
            graph.Nodes.Count, metadata.Count, sections[0].Length, sections[1].Length, reports);
        return new PocketModel(graph, tensors, metadata);
    }

    // ---- header, section table, checksums ----

    private static SectionEntry[] ReadContainer(ReadOnlySpan<byte> data, ErrorContext errors, bool verifyChecksums, out ushort minor)
    {
        errors.Section = "header";
        var magic = PocketFileLayout.Magic;
        if (data.Length < magic.Length || !data[..magic.Length].SequenceEqual(magic))
            throw errors.Fail("magic", 0, "is not \\x89POCKET\\n (not a .pocket file)");
        var r = new SectionReader(data, 0, data.Length, errors);
        r.ReadBytes(magic.Length, "magic");
        ushort major = r.ReadUInt16("major version");
        if (major != PocketFileLayout.MajorVersion) throw errors.Fail("major version", 8, $"{major} is not supported (this reader reads version {PocketFileLayout.MajorVersion})");
        minor = r.ReadUInt16("minor version");
        uint flags = r.ReadUInt32("flags");
        if (flags != 0) throw errors.Fail("flags", 12, $"0x{flags:X8} has reserved bits set");
        ulong fileLength = r.ReadUInt64("file length");
        if (fileLength != (ulong)data.Length)
            throw errors.Fail("file length", 16, $"{fileLength} does not match the {data.Length} bytes present (truncated or extended file)");
        uint count = r.ReadUInt32("section count");
        if (count < 2 || count > 2 + MaxTensors) throw errors.Fail("section count", 24, $"{count} is not in 2..{2 + MaxTensors}");
        long tableEnd = PocketFileLayout.HeaderSize + (long)count * PocketFileLayout.SectionEntrySize;
        if (tableEnd + PocketFileLayout.TrailerSize > data.Length)
            throw errors.Fail("section count", 24, $"{count} entries need {tableEnd} bytes of header and table, more than the file holds");
        uint headerCrc = r.ReadUInt32("header CRC");

        if (verifyChecksums)
        {
            uint actual = Crc32.Append(Crc32.Compute(data[..28]), data[PocketFileLayout.HeaderSize..(int)tableEnd]);
            if (actual != headerCrc) throw errors.Fail("header CRC", 28, $"0x{headerCrc:X8} does not match the computed 0x{actual:X8}");
            uint fileCrc = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
            uint actualFile = Crc32.Compute(data[..^4]);
            errors.Section = "trailer";
            if (actualFile != fileCrc) throw errors.Fail("file CRC", data.Length - 4, $"0x{fileCrc:X8} does not match the computed 0x{actualFile:X8}");
        }

        errors.Section = "section table";
        var sections = new SectionEntry[count];
        long expected = PocketFileLayout.Align(tableEnd);
        long trailerAt = data.Length - PocketFileLayout.TrailerSize;
        long previousEnd = tableEnd;
        for (int i = 0; i < count; i++)
        {
            int at = r.Position;
            byte kind = r.ReadByte($"entry {i} kind");
            byte expectedKind = i switch { 0 => PocketFileLayout.MetadataSection, 1 => PocketFileLayout.GraphSection, _ => PocketFileLayout.TensorSection };
            if (kind != expectedKind)
                throw errors.Fail($"entry {i} kind", at, kind is >= 1 and <= 3
                    ? $"{kind} is out of order (entry 0 is metadata = 1, entry 1 graph = 2, the rest tensors = 3)"
                    : $"{kind} is unknown");
            var reserved = r.ReadBytes(3, $"entry {i} reserved");
            if (reserved.ContainsAnyExcept((byte)0)) throw errors.Fail($"entry {i} reserved bytes", at + 1, "are not zero");
            uint crc = r.ReadUInt32($"entry {i} CRC");
            ulong offset = r.ReadUInt64($"entry {i} offset");
            ulong length = r.ReadUInt64($"entry {i} length");
            if (offset < (ulong)previousEnd)
                throw errors.Fail($"entry {i} offset", at + 8, $"{offset} overlaps the previous region ending at {previousEnd}");
            if (offset != (ulong)expected)
                throw errors.Fail($"entry {i} offset", at + 8, $"{offset} is not the next 8-byte aligned offset {expected}");
            if (length > (ulong)(trailerAt - expected))
                throw errors.Fail($"entry {i} length", at + 16, $"{length} runs past the file end (section at {offset}, trailer at {trailerAt})");
            sections[i] = new SectionEntry(kind, crc, (int)offset, (int)length);
            previousEnd = expected + (long)length;
            expected = PocketFileLayout.Align(previousEnd);
        }
        if (expected != trailerAt)
            throw errors.Fail("file length", 16, $"{data.Length} leaves {trailerAt - expected} unexpected bytes after the last section (expected the trailer at {expected})");

        // Padding between regions must be zero: no hidden data, one byte sequence per model.
        long gapStart = tableEnd;
        for (int i = 0; i <= sections.Length; i++)
        {
            long gapEnd = i < sections.Length ? sections[i].Offset : trailerAt;
            int nonZero = data[(int)gapStart..(int)gapEnd].IndexOfAnyExcept((byte)0);
            if (nonZero >= 0) throw errors.Fail("padding", gapStart + nonZero, "is not zero");
            if (i < sections.Length) gapStart = sections[i].Offset + (long)sections[i].Length;
        }

        if (verifyChecksums)
            for (int i = 0; i < sections.Length; i++)
            {
                uint actual = Crc32.Compute(data.Slice(sections[i].Offset, sections[i].Length));
                if (actual != sections[i].Crc)
                    throw errors.Fail($"entry {i} CRC", PocketFileLayout.HeaderSize + i * PocketFileLayout.SectionEntrySize + 4, $"0x{sections[i].Crc:X8} does not match the section's computed 0x{actual:X8}");
            }
        return sections;
    }

    // ---- metadata ----

    private static Dictionary<string, string> ReadMetadata(ReadOnlySpan<byte> data, SectionEntry section, ErrorContext errors)
    {
        errors.Section = "metadata section";
        var r = new SectionReader(data, section.Offset, section.Offset + section.Length, errors);
        uint count = r.ReadUInt32("entry count");
        // Each entry takes at least 2 + 1 + 4 bytes, so a count the bytes cannot hold is rejected before allocating.
        if (count > MaxMetadataEntries || count * 7L > r.Remaining)
            throw r.Fail("entry count", section.Offset, $"{count} exceeds the limit of {MaxMetadataEntries} or the section size");
        var metadata = new Dictionary<string, string>((int)count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            int at = r.Position;
            string key = r.ReadShortString($"entry {i} key", MaxNameBytes, allowEmpty: false);
            string value = r.ReadLongString($"entry {i} value", MaxMetadataValueBytes);
            if (!metadata.TryAdd(key, value)) throw r.Fail($"entry {i} key", at, $"{PocketFormatException.Quote(key)} is a duplicate");
        }
        if (r.Remaining != 0) throw r.Fail("section end", $"has {r.Remaining} unexpected trailing bytes");
        return metadata;
    }

    // ---- graph ----

    private static ModelGraph ReadGraph(ReadOnlySpan<byte> data, SectionEntry section, ErrorContext errors, out List<(int Node, string Name, int Offset)> tensorReferences)
    {
        errors.Section = "graph section";
        var r = new SectionReader(data, section.Offset, section.Offset + section.Length, errors);
        uint count = r.ReadUInt32("node count");
        const int minNodeBytes = 2 + 1 + 1 + 2 * 4; // 1-byte name, op, four u16 counts
        if (count > MaxNodes || count * (long)minNodeBytes > r.Remaining)
            throw r.Fail("node count", section.Offset, $"{count} exceeds the limit of {MaxNodes} or what the section can hold");
        var nodes = new GraphNode[count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        tensorReferences = [];
        for (int i = 0; i < count; i++)
        {
            int at = r.Position;
            string name = r.ReadShortString($"node {i} name", MaxNameBytes, allowEmpty: false);
            if (!names.Add(name)) throw r.Fail($"node {i} name", at, $"{PocketFormatException.Quote(name)} is a duplicate");
            int opAt = r.Position;
            byte op = r.ReadByte($"node {i} op");
            if (!Enum.IsDefined((OpKind)op)) throw r.Fail($"node {i} op", opAt, $"{op} is unknown");

            int inputCount = ReadCount(ref r, $"node {i} input count", MaxNodeInputs, 4);
            var inputs = new int[inputCount];
            for (int k = 0; k < inputCount; k++)
            {
                int inAt = r.Position;
                uint input = r.ReadUInt32($"node {i} input {k}");
                if (input >= i) throw r.Fail($"node {i} input {k}", inAt, $"{input} is not an earlier node (inputs must precede their node)");
                inputs[k] = (int)input;
            }
            int attributeCount = ReadCount(ref r, $"node {i} attribute count", MaxNodeAttributes, 4);
            var attributes = new int[attributeCount];
            for (int k = 0; k < attributeCount; k++) attributes[k] = r.ReadInt32($"node {i} attribute {k}");
            int floatCount = ReadCount(ref r, $"node {i} float attribute count", MaxNodeFloatAttributes, 4);
            var floats = r.ReadSingles(floatCount, $"node {i} float attributes");
            int tensorCount = ReadCount(ref r, $"node {i} tensor count", MaxNodeTensors, 2);
            var tensorNames = new string[tensorCount];
            for (int k = 0; k < tensorCount; k++)
            {
                int nameAt = r.Position;
                tensorNames[k] = r.ReadShortString($"node {i} tensor {k}", MaxNameBytes, allowEmpty: true);
                if (tensorNames[k].Length > 0) tensorReferences.Add((i, tensorNames[k], nameAt));
            }
            nodes[i] = new GraphNode(name, (OpKind)op, inputs, attributes, floats, tensorNames);
        }
        if (r.Remaining != 0) throw r.Fail("section end", $"has {r.Remaining} unexpected trailing bytes");
        return new ModelGraph(nodes);
    }

    private static int ReadCount(ref SectionReader r, string field, int max, int minItemBytes)
    {
        int at = r.Position;
        ushort count = r.ReadUInt16(field);
        if (count > max) throw r.Fail(field, at, $"{count} exceeds the limit of {max}");
        if (count * (long)minItemBytes > r.Remaining) throw r.Fail(field, at, $"{count} items exceed section end ({r.Remaining} bytes left)");
        return count;
    }

    // ---- tensors ----

    private static PocketTensor ReadTensor(ReadOnlySpan<byte> data, SectionEntry section, int index, ErrorContext errors, List<TensorReport>? reports, ref long totalElements)
    {
        errors.Section = $"tensor section {index}";
        var r = new SectionReader(data, section.Offset, section.Offset + section.Length, errors);
        string name = r.ReadShortString("tensor name", MaxNameBytes, allowEmpty: false);
        errors.Section = $"tensor {PocketFormatException.Quote(name)} section";
        int encodingAt = r.Position;
        byte encodingByte = r.ReadByte("encoding");
        if (!Enum.IsDefined((TensorEncoding)encodingByte)) throw r.Fail("encoding", encodingAt, $"{encodingByte} is unknown");
        var encoding = (TensorEncoding)encodingByte;
        int rankAt = r.Position;
        byte rank = r.ReadByte("rank");
        if (rank > MaxRank) throw r.Fail("rank", rankAt, $"{rank} exceeds the limit of {MaxRank}");
        var shape = new int[rank];
        long n = 1;
        for (int d = 0; d < rank; d++)
        {
            int dimAt = r.Position;
            uint dim = r.ReadUInt32($"dimension {d}");
            if (dim > int.MaxValue) throw r.Fail($"dimension {d}", dimAt, $"{dim} exceeds {int.MaxValue}");
            shape[d] = (int)dim;
            n = Math.Min(n * dim, MaxTensorElements + 1L); // saturate: no overflow, still > limit
        }
        if (n > MaxTensorElements) throw r.Fail("shape", rankAt, $"has more than {MaxTensorElements} elements");
        totalElements += n;
        if (totalElements > MaxTotalElements) throw r.Fail("shape", rankAt, $"brings the file past {MaxTotalElements} elements in total");

        PocketTensor tensor;
        StreamReport? codeReport = null, indexReport = null;
        long nonZeros = n, entries = n;
        int codebookSize = 0, indexBits = 0;
        switch (encoding)
        {
            case TensorEncoding.Dense:
            {
                if (n * 4 != r.Remaining) throw r.Fail("values", $"need {n} × 4 bytes but the section has {r.Remaining} left");
                tensor = new DenseTensor(name, shape, r.ReadSingles(n, "values"));
                break;
            }
            case TensorEncoding.QuantizedDense:
            {
                var codebook = ReadCodebook(ref r);
                codebookSize = codebook.Length;
                var symbols = SymbolStream.Read(ref r, n, codebook.Length, "weight-code stream", out var stored);
                var codes = new ushort[symbols.Length];
                for (int i = 0; i < codes.Length; i++) codes[i] = (ushort)symbols[i];
                if (reports is not null) codeReport = StreamReport.From(symbols, codebook.Length, stored);
                tensor = new QuantizedDenseTensor(name, shape, codebook, codes);
                break;
            }
            case TensorEncoding.SparseQuantized:
            {
                int bitsAt = r.Position;
                indexBits = r.ReadByte("index bits");
                if (indexBits < MinIndexBits || indexBits > MaxIndexBits) throw r.Fail("index bits", bitsAt, $"{indexBits} is not in {MinIndexBits}..{MaxIndexBits}");
                var codebook = ReadCodebook(ref r);
                codebookSize = codebook.Length;
                int entriesAt = r.Position;
                uint entryCount = r.ReadUInt32("entry count");
                uint nonZeroCount = r.ReadUInt32("non-zero count");
                if (entryCount > int.MaxValue) throw r.Fail("entry count", entriesAt, $"{entryCount} exceeds {int.MaxValue}");
                if (nonZeroCount > entryCount || nonZeroCount > n)
                    throw r.Fail("non-zero count", entriesAt + 4, $"{nonZeroCount} exceeds the entry count {entryCount} or the element count {n}");
                int indexAt = r.Position;
                var indices = SymbolStream.Read(ref r, entryCount, 1 << indexBits, "relative-index stream", out var indexStored);
                var symbols = SymbolStream.Read(ref r, entryCount, codebook.Length + 1, "weight-code stream", out var codeStored);
                var decoded = RelativeIndexCodec.Decode(indices, symbols, indexBits, n, (int)nonZeroCount, out string problem, out long failed)
                    ?? throw r.Fail(failed >= 0 ? $"relative-index entry {failed}" : "non-zero count", failed >= 0 ? indexAt : entriesAt + 4, problem);
                if (reports is not null)
                {
                    indexReport = StreamReport.From(indices, 1 << indexBits, indexStored);
                    codeReport = StreamReport.From(symbols, codebook.Length + 1, codeStored);
                }
                nonZeros = nonZeroCount;
                entries = entryCount;
                tensor = new SparseQuantizedTensor(name, shape, codebook, decoded.Positions, decoded.Codes, indexBits);
                break;
            }
            default:
            {
                if (rank == 0) throw r.Fail("rank", rankAt, "is 0, but a binary tensor needs one scale per output filter");
                var scales = r.ReadSingles(shape[0], "scales");
                long bytes = (n + 7) / 8;
                if (bytes != r.Remaining) throw r.Fail("bits", $"need {bytes} bytes for {n} elements but the section has {r.Remaining} left");
                int bitsAt = r.Position;
                var bits = r.ReadBytes(bytes, "bits").ToArray();
                if (n % 8 != 0 && bits[^1] >> (int)(n % 8) != 0) throw r.Fail("bits padding", bitsAt + bytes - 1, "has non-zero bits");
                tensor = new BinaryTensor(name, shape, scales, bits);
                break;
            }
        }
        if (r.Remaining != 0) throw r.Fail("section end", $"has {r.Remaining} unexpected trailing bytes");
        reports?.Add(new TensorReport(name, shape, encoding, n, nonZeros, entries, codebookSize, indexBits, section.Offset, section.Length, codeReport, indexReport));
        return tensor;
    }

    private static float[] ReadCodebook(ref SectionReader r)
    {
        int at = r.Position;
        uint size = r.ReadUInt32("codebook size");
        if (size > MaxCodebookSize) throw r.Fail("codebook size", at, $"{size} exceeds the limit of {MaxCodebookSize}");
        return r.ReadSingles(size, "codebook");
    }
}
