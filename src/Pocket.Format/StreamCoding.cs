namespace Pocket.Format;

/// <summary>How one symbol stream (weight codes or relative indices) is stored. The byte value is in the file.</summary>
public enum StreamCoding : byte
{
    /// <summary>Every symbol in ⌈log2 alphabet⌉ bits (at least 1): the paper's "P+Q" size.</summary>
    FixedWidth = 0,

    /// <summary>Canonical Huffman code, lengths ≤ 16 bits: the paper's "P+Q+H" size.</summary>
    Huffman = 1,

    /// <summary>Context-adaptive binary arithmetic coding (range coder, no table; format minor version 1).</summary>
    AdaptiveBinary = 2,
}
