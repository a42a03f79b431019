namespace Pocket.Format;

/// <summary>
/// Hard limits of format version 1. Readers reject files beyond them before allocating, so a lying header
/// cannot make a phone allocate gigabytes; writers reject models beyond them. See docs/format.md.
/// </summary>
public static class PocketFormatLimits
{
    /// <summary>Node names, tensor names and metadata keys: at most this many UTF-8 bytes.</summary>
    public const int MaxNameBytes = 256;
    public const int MaxMetadataEntries = 4096;
    public const int MaxMetadataValueBytes = 1 << 20;
    public const int MaxNodes = 65536;
    public const int MaxNodeInputs = 1024;
    public const int MaxNodeAttributes = 64;
    public const int MaxNodeFloatAttributes = 64;
    public const int MaxNodeTensors = 64;
    public const int MaxTensors = 65536;
    public const int MaxRank = 8;
    /// <summary>Elements of one tensor (positions are int32, arrays are indexed by int).</summary>
    public const long MaxTensorElements = int.MaxValue;
    /// <summary>Sum of the element counts of all tensors of a file (16 Gi, i.e. 64 GiB as float32).</summary>
    public const long MaxTotalElements = 1L << 34;
    public const int MaxCodebookSize = 65536;
    public const int MinIndexBits = 1;
    public const int MaxIndexBits = 16;
    public const int MaxHuffmanCodeLength = Huffman.CanonicalHuffmanCode.MaxCodeLength;
}
