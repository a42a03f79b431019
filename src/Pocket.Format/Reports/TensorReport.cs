namespace Pocket.Format;

/// <summary>
/// What one tensor section holds and costs — the per-layer row of Han et al. Tables 2/3. "Weight bits" are
/// per stored weight code (for a sparse tensor: per entry, fillers included, since fillers are paid for);
/// "index bits" per relative-index entry. Dense tensors count 32 weight bits, binary ones 1.
/// </summary>
public sealed record TensorReport(
    string Name,
    int[] Shape,
    TensorEncoding Encoding,
    long ElementCount,
    long NonZeroCount,
    long EntryCount,
    int CodebookSize,
    int IndexBits,
    long SectionOffset,
    long SectionBytes,
    StreamReport? WeightCodes,
    StreamReport? RelativeIndices)
{
    /// <summary>Bytes as plain float32.</summary>
    public long DenseBytes => ElementCount * 4;

    /// <summary>Fillers inserted because a gap exceeded 2^IndexBits (sparse only).</summary>
    public long FillerCount => EntryCount - NonZeroCount;

    /// <summary>Dense float32 bytes over section bytes.</summary>
    public double CompressionRatio => SectionBytes == 0 ? 0 : (double)DenseBytes / SectionBytes;

    /// <summary>Weight bits "P+Q": fixed-width bits per weight code.</summary>
    public double WeightBitsFixed => Encoding switch
    {
        TensorEncoding.Dense => 32,
        TensorEncoding.Binary => 1,
        _ => WeightCodes!.FixedWidthBits,
    };

    /// <summary>Weight bits "P+Q+H": average Huffman bits per weight code (payload only).</summary>
    public double WeightBitsHuffman => Encoding switch
    {
        TensorEncoding.Dense => 32,
        TensorEncoding.Binary => 1,
        _ => WeightCodes!.HuffmanBitsPerSymbol,
    };

    /// <summary>Index bits "P+Q": the relative-index width b (sparse only, else 0).</summary>
    public double IndexBitsFixed => RelativeIndices?.FixedWidthBits ?? 0;

    /// <summary>Index bits "P+Q+H": average Huffman bits per relative index (sparse only, else 0).</summary>
    public double IndexBitsHuffman => RelativeIndices?.HuffmanBitsPerSymbol ?? 0;
}
