namespace Pocket.Format.Huffman;

/// <summary>
/// The symbols a stored code-length table gives a code to, in ascending symbol order, with their lengths (1..16).
/// A reader keeps only these, not one entry per alphabet symbol: a 21-bit zero-run token can skip 65,536 symbols,
/// so arrays sized by the alphabet would let a few bytes of table allocate hundreds of kilobytes per stream,
/// while every used symbol costs a 5-bit token and so these arrays are bounded by the table's own size.
/// </summary>
internal sealed record UsedCodeLengths(int[] Symbols, byte[] Lengths)
{
    public int Count => Symbols.Length;
}
