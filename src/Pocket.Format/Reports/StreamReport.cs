using Pocket.Format.Huffman;
using Pocket.Format.Streams;

namespace Pocket.Format;

/// <summary>
/// Sizes of one coded stream of a tensor (its weight codes or its relative indices), whichever coding the
/// file actually uses: the fixed-width size (Han et al. "P+Q"), the Huffman size ("P+Q+H", payload and
/// length table apart) and the Shannon entropy bound of the symbol distribution.
/// </summary>
/// <param name="StoredCoding">The coding chosen in the file.</param>
/// <param name="SymbolCount">Symbols in the stream (for a sparse tensor: entries, fillers included).</param>
/// <param name="AlphabetSize">Possible symbols (codebook size, codebook size + 1 for sparse codes, 2^b for indices).</param>
/// <param name="DistinctSymbols">Symbols that actually occur.</param>
/// <param name="FixedWidthBits">Bits per symbol in fixed width.</param>
/// <param name="HuffmanPayloadBits">Payload bits with the canonical length-limited Huffman code of this stream.</param>
/// <param name="HuffmanTableBits">Bits of the stored code-length table of that code.</param>
/// <param name="EntropyBits">Shannon bound: Σ −log2(frequency/count) over the symbols; no prefix code does better.</param>
/// <param name="StoredBytes">Bytes the stream takes in the file (coding byte, lengths, table and payload).</param>
public sealed record StreamReport(
    StreamCoding StoredCoding,
    long SymbolCount,
    int AlphabetSize,
    int DistinctSymbols,
    int FixedWidthBits,
    long HuffmanPayloadBits,
    long HuffmanTableBits,
    double EntropyBits,
    long StoredBytes)
{
    public long FixedWidthPayloadBits => SymbolCount * FixedWidthBits;
    public double HuffmanBitsPerSymbol => SymbolCount == 0 ? 0 : (double)HuffmanPayloadBits / SymbolCount;
    public double EntropyBitsPerSymbol => SymbolCount == 0 ? 0 : EntropyBits / SymbolCount;

    internal static StreamReport From(ReadOnlySpan<int> symbols, int alphabetSize, StoredStream stored)
    {
        var frequencies = SymbolStream.Histogram(symbols, alphabetSize);
        int distinct = SymbolStream.UsedSymbols(frequencies);
        double entropy = 0;
        foreach (long f in frequencies)
            if (f > 0) entropy += f * Math.Log2((double)symbols.Length / f);
        int width = SymbolStream.FixedWidth(alphabetSize);
        long huffmanBits = symbols.Length * (long)width, tableBits = 0;
        if (distinct > 0 && distinct <= 1 << CanonicalHuffmanCode.MaxCodeLength)
        {
            var code = CanonicalHuffmanCode.FromLengths(HuffmanCodeLengths.Build(frequencies, CanonicalHuffmanCode.MaxCodeLength));
            huffmanBits = code.PayloadBits(frequencies);
            tableBits = CodeLengthTable.Write(code.Lengths).Length * 8L;
        }
        return new StreamReport(stored.Coding, symbols.Length, alphabetSize, distinct, width, huffmanBits, tableBits, entropy, stored.StoredBytes);
    }
}
