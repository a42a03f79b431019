using System.Text;
using Pocket.Format.IO;
using Pocket.Format.Sparse;
using Pocket.Format.Streams;
using static Pocket.Format.PocketFormatLimits;

namespace Pocket.Format;

/// <summary>
/// Serialises a <see cref="PocketModel"/> to the .pocket layout of docs/format.md. The model is validated
/// against the format's rules first (ArgumentException), so the writer never produces a file the reader
/// would reject. Output is deterministic: the same model and options always give the same bytes.
/// </summary>
internal static class PocketFileWriter
{
    // Throws on lone surrogates instead of silently writing U+FFFD, which would break the round trip.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(PocketModel model, PocketWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ValidateModel(model);
        var sections = new List<(byte Kind, byte[] Payload)>
        {
            (PocketFileLayout.MetadataSection, EncodeMetadata(model.Metadata)),
            (PocketFileLayout.GraphSection, EncodeGraph(model.Graph)),
        };
        ushort minor = 0;
        foreach (var tensor in model.Tensors.Values)
            sections.Add((PocketFileLayout.TensorSection, EncodeTensor(tensor, options.StreamCoding, ref minor)));
        return Assemble(sections, minor);
    }

    /// <param name="minor">The lowest minor version whose features the sections use (docs/format.md §7).</param>
    private static byte[] Assemble(List<(byte Kind, byte[] Payload)> sections, ushort minor)
    {
        long tableEnd = PocketFileLayout.HeaderSize + (long)sections.Count * PocketFileLayout.SectionEntrySize;
        var offsets = new long[sections.Count];
        long end = tableEnd;
        for (int i = 0; i < sections.Count; i++)
        {
            offsets[i] = PocketFileLayout.Align(end);
            end = offsets[i] + sections[i].Payload.Length;
        }
        long fileLength = PocketFileLayout.Align(end) + PocketFileLayout.TrailerSize;
        if (fileLength > Array.MaxLength) throw new ArgumentException($"the model needs {fileLength} bytes, more than a .pocket file (2 GiB) can hold");

        var w = new ByteWriter();
        w.WriteBytes(PocketFileLayout.Magic);
        w.WriteUInt16(PocketFileLayout.MajorVersion);
        w.WriteUInt16(minor);
        w.WriteUInt32(0); // flags
        w.WriteUInt64((ulong)fileLength);
        w.WriteUInt32((uint)sections.Count);
        w.WriteUInt32(0); // header CRC, patched below
        for (int i = 0; i < sections.Count; i++)
        {
            w.WriteByte(sections[i].Kind);
            w.WriteZeros(3);
            w.WriteUInt32(Crc32.Compute(sections[i].Payload));
            w.WriteUInt64((ulong)offsets[i]);
            w.WriteUInt64((ulong)sections[i].Payload.Length);
        }
        for (int i = 0; i < sections.Count; i++)
        {
            w.WriteZeros((int)(offsets[i] - w.Length));
            w.WriteBytes(sections[i].Payload);
        }
        w.WriteZeros((int)(fileLength - PocketFileLayout.TrailerSize - w.Length));
        w.WriteUInt32(0); // file CRC, patched below

        byte[] file = w.ToArray();
        uint headerCrc = Crc32.Append(Crc32.Compute(file.AsSpan(0, 28)), file.AsSpan(PocketFileLayout.HeaderSize, (int)(tableEnd - PocketFileLayout.HeaderSize)));
        BitConverter.TryWriteBytes(file.AsSpan(28, 4), headerCrc);
        if (!BitConverter.IsLittleEndian) file.AsSpan(28, 4).Reverse();
        uint fileCrc = Crc32.Compute(file.AsSpan(0, file.Length - 4));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), fileCrc);
        return file;
    }

    /// <summary>Entries sorted by the UTF-8 bytes of their keys: the same metadata, gathered in any order (a dictionary
    /// filled by one command or by a chain of them), gives the same bytes.</summary>
    private static byte[] EncodeMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var w = new ByteWriter();
        w.WriteUInt32((uint)metadata.Count);
        foreach (var (key, value) in metadata.OrderBy(e => Encoding.UTF8.GetBytes(e.Key), Utf8KeyOrder.Instance))
        {
            w.WriteShortString(key);
            w.WriteLongString(value);
        }
        return w.ToArray();
    }

    private static byte[] EncodeGraph(ModelGraph graph)
    {
        var w = new ByteWriter();
        w.WriteUInt32((uint)graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            w.WriteShortString(node.Name);
            w.WriteByte((byte)node.Op);
            w.WriteUInt16((ushort)node.Inputs.Length);
            foreach (int input in node.Inputs) w.WriteUInt32((uint)input);
            w.WriteUInt16((ushort)node.Attributes.Length);
            foreach (int a in node.Attributes) w.WriteInt32(a);
            w.WriteUInt16((ushort)node.FloatAttributes.Length);
            w.WriteSingles(node.FloatAttributes);
            w.WriteUInt16((ushort)node.Tensors.Length);
            foreach (string t in node.Tensors) w.WriteShortString(t);
        }
        return w.ToArray();
    }

    private static byte[] EncodeTensor(PocketTensor tensor, StreamCodingChoice choice, ref ushort minor)
    {
        var w = new ByteWriter();
        w.WriteShortString(tensor.Name);
        w.WriteByte((byte)TensorEncodings.Of(tensor));
        w.WriteByte((byte)tensor.Shape.Length);
        foreach (int d in tensor.Shape) w.WriteUInt32((uint)d);
        switch (tensor)
        {
            case DenseTensor dense:
                w.WriteSingles(dense.Values);
                break;
            case QuantizedDenseTensor q:
                w.WriteUInt32((uint)q.Codebook.Length);
                w.WriteSingles(q.Codebook);
                var symbols = new int[q.Codes.Length];
                for (int i = 0; i < symbols.Length; i++) symbols[i] = q.Codes[i];
                Uses(SymbolStream.Write(w, symbols, q.Codebook.Length, choice), ref minor);
                break;
            case SparseQuantizedTensor s:
                w.WriteByte((byte)s.IndexBits);
                w.WriteUInt32((uint)s.Codebook.Length);
                w.WriteSingles(s.Codebook);
                var (indices, weights) = RelativeIndexCodec.Encode(s.Positions, s.Codes, s.IndexBits);
                w.WriteUInt32((uint)indices.Length);
                w.WriteUInt32((uint)s.Positions.Length);
                Uses(SymbolStream.Write(w, indices, 1 << s.IndexBits, choice), ref minor);
                Uses(SymbolStream.Write(w, weights, s.Codebook.Length + 1, choice), ref minor);
                break;
            case BinaryTensor b:
                w.WriteSingles(b.Scales);
                w.WriteBytes(b.Bits);
                break;
        }
        return w.ToArray();
    }

    private static void Uses(StreamCoding coding, ref ushort minor) => minor = Math.Max(minor, PocketFileLayout.MinorVersionOf(coding));

    // ---- model validation: everything the reader checks, reported as ArgumentException ----

    private static void ValidateModel(PocketModel model)
    {
        ArgumentNullException.ThrowIfNull(model.Graph);
        ArgumentNullException.ThrowIfNull(model.Tensors);
        ArgumentNullException.ThrowIfNull(model.Metadata);
        if (model.Metadata.Count > MaxMetadataEntries) Bad($"{model.Metadata.Count} metadata entries exceed the limit of {MaxMetadataEntries}");
        foreach (var (key, value) in model.Metadata)
        {
            CheckName(key, "metadata key", allowEmpty: false);
            if (value is null) Bad($"metadata '{key}' has a null value");
            int valueBytes;
            try { valueBytes = StrictUtf8.GetByteCount(value); }
            catch (EncoderFallbackException) { Bad($"metadata '{key}' value is not valid Unicode (lone surrogate)"); return; }
            if (valueBytes > MaxMetadataValueBytes) Bad($"metadata '{key}' value exceeds {MaxMetadataValueBytes} bytes");
        }

        if (model.Tensors.Count > MaxTensors) Bad($"{model.Tensors.Count} tensors exceed the limit of {MaxTensors}");
        long total = 0;
        foreach (var (key, tensor) in model.Tensors)
        {
            if (tensor is null) Bad($"tensor '{key}' is null");
            if (tensor.Name != key) Bad($"tensor stored under key '{key}' is named '{tensor.Name}'");
            CheckName(key, "tensor name", allowEmpty: false);
            total += ValidateTensor(tensor);
            if (total > MaxTotalElements) Bad($"the tensors hold more than {MaxTotalElements} elements in total");
        }

        var nodes = model.Graph.Nodes ?? throw new ArgumentException("the graph has no node list");
        if (nodes.Count > MaxNodes) Bad($"{nodes.Count} graph nodes exceed the limit of {MaxNodes}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i] ?? throw new ArgumentException($"graph node {i} is null");
            CheckName(node.Name, $"node {i} name", allowEmpty: false);
            if (!names.Add(node.Name)) Bad($"node name '{node.Name}' is used twice");
            if (!Enum.IsDefined(node.Op)) Bad($"node '{node.Name}' has unknown op {(byte)node.Op}");
            if (node.Inputs is null || node.Attributes is null || node.FloatAttributes is null || node.Tensors is null) Bad($"node '{node.Name}' has a null array");
            if (node.Inputs.Length > MaxNodeInputs) Bad($"node '{node.Name}' has {node.Inputs.Length} inputs, more than {MaxNodeInputs}");
            if (node.Attributes.Length > MaxNodeAttributes) Bad($"node '{node.Name}' has more than {MaxNodeAttributes} attributes");
            if (node.FloatAttributes.Length > MaxNodeFloatAttributes) Bad($"node '{node.Name}' has more than {MaxNodeFloatAttributes} float attributes");
            if (node.Tensors.Length > MaxNodeTensors) Bad($"node '{node.Name}' has more than {MaxNodeTensors} tensors");
            foreach (int input in node.Inputs)
                if (input < 0 || input >= i) Bad($"node '{node.Name}' (index {i}) has input {input}, which is not an earlier node");
            foreach (string t in node.Tensors)
            {
                CheckName(t, $"node '{node.Name}' tensor reference", allowEmpty: true);
                if (t.Length > 0 && !model.Tensors.ContainsKey(t)) Bad($"node '{node.Name}' references tensor '{t}', which the model does not hold");
            }
        }
    }

    private static long ValidateTensor(PocketTensor tensor)
    {
        string name = tensor.Name;
        if (tensor.Shape is null) Bad($"tensor '{name}' has no shape");
        if (tensor.Shape.Length > MaxRank) Bad($"tensor '{name}' has rank {tensor.Shape.Length}, more than {MaxRank}");
        long n = 1;
        foreach (int d in tensor.Shape)
        {
            if (d < 0) Bad($"tensor '{name}' has a negative dimension {d}");
            n = Math.Min(n * d, MaxTensorElements + 1L);
        }
        if (n > MaxTensorElements) Bad($"tensor '{name}' has more than {MaxTensorElements} elements");
        switch (tensor)
        {
            case DenseTensor dense:
                if (dense.Values?.Length != n) Bad($"dense tensor '{name}' has {dense.Values?.Length} values for {n} elements");
                break;
            case QuantizedDenseTensor q:
                CheckCodebook(name, q.Codebook);
                if (q.Codes?.Length != n) Bad($"quantized tensor '{name}' has {q.Codes?.Length} codes for {n} elements");
                CheckCodes(name, q.Codes, q.Codebook.Length);
                break;
            case SparseQuantizedTensor s:
                CheckCodebook(name, s.Codebook);
                if (s.IndexBits < MinIndexBits || s.IndexBits > MaxIndexBits) Bad($"sparse tensor '{name}' has index bits {s.IndexBits}, not in {MinIndexBits}..{MaxIndexBits}");
                if (s.Positions is null || s.Codes is null || s.Positions.Length != s.Codes.Length) Bad($"sparse tensor '{name}' has {s.Positions?.Length} positions but {s.Codes?.Length} codes");
                CheckCodes(name, s.Codes, s.Codebook.Length);
                for (int i = 0; i < s.Positions.Length; i++)
                {
                    int p = s.Positions[i];
                    if (p < 0 || p >= n) Bad($"sparse tensor '{name}' position {p} (entry {i}) is outside its {n} elements");
                    if (i > 0 && p <= s.Positions[i - 1]) Bad($"sparse tensor '{name}' positions are not strictly ascending at entry {i}");
                }
                if (RelativeIndexCodec.CountEntries(s.Positions, s.IndexBits) > int.MaxValue) Bad($"sparse tensor '{name}' needs too many filler entries");
                break;
            case BinaryTensor b:
                if (tensor.Shape.Length == 0) Bad($"binary tensor '{name}' needs rank ≥ 1 (one scale per output filter)");
                if (b.Scales?.Length != tensor.Shape[0]) Bad($"binary tensor '{name}' has {b.Scales?.Length} scales for {tensor.Shape[0]} filters");
                long bytes = (n + 7) / 8;
                if (b.Bits?.Length != bytes) Bad($"binary tensor '{name}' has {b.Bits?.Length} bit bytes for {n} elements ({bytes} expected)");
                if (n % 8 != 0 && b.Bits[^1] >> (int)(n % 8) != 0) Bad($"binary tensor '{name}' has non-zero padding bits in its last byte");
                break;
            default:
                TensorEncodings.Of(tensor);
                break;
        }
        return n;
    }

    private static void CheckCodebook(string name, float[] codebook)
    {
        if (codebook is null) Bad($"tensor '{name}' has no codebook");
        if (codebook.Length > MaxCodebookSize) Bad($"tensor '{name}' codebook has {codebook.Length} entries, more than {MaxCodebookSize}");
    }

    private static void CheckCodes(string name, ushort[] codes, int codebookSize)
    {
        for (int i = 0; i < codes.Length; i++)
            if (codes[i] >= codebookSize) Bad($"tensor '{name}' code {codes[i]} at {i} is not below the codebook size {codebookSize}");
    }

    private static void CheckName(string? name, string what, bool allowEmpty)
    {
        if (name is null) Bad($"{what} is null");
        if (name.Length == 0 && !allowEmpty) Bad($"{what} is empty");
        int bytes;
        try { bytes = StrictUtf8.GetByteCount(name); }
        catch (EncoderFallbackException) { Bad($"{what} '{name}' is not valid Unicode (lone surrogate)"); return; }
        if (bytes > MaxNameBytes) Bad($"{what} '{name}' is {bytes} UTF-8 bytes, more than {MaxNameBytes}");
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Bad(string message) => throw new ArgumentException(message);
}

/// <summary>Byte-wise order of UTF-8 keys, the order docs/format.md gives metadata entries.</summary>
file sealed class Utf8KeyOrder : IComparer<byte[]>
{
    public static readonly Utf8KeyOrder Instance = new();
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
