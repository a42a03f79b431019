namespace Pocket.Format;

/// <summary>Which coding the writer uses for each weight-code and relative-index stream.</summary>
public enum StreamCodingChoice
{
    /// <summary>Per stream, whichever of fixed width, Huffman (with its length table) and adaptive binary takes fewest bytes.</summary>
    Smallest = 0,

    /// <summary>Always fixed width (the paper's "P+Q" files, no Huffman).</summary>
    FixedWidth = 1,

    /// <summary>Huffman whenever it is possible (a non-empty stream with at most 65536 distinct symbols).</summary>
    Huffman = 2,

    /// <summary>Adaptive binary arithmetic coding whenever the stream allows it, else the smaller of the other two.</summary>
    AdaptiveBinary = 3,
}

/// <summary>Options for <see cref="PocketFile.Encode"/> and <see cref="PocketFile.Write"/>.</summary>
public sealed record PocketWriteOptions
{
    public static PocketWriteOptions Default { get; } = new();

    public StreamCodingChoice StreamCoding { get; init; } = StreamCodingChoice.Smallest;
}
