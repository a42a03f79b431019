using Pocket.Format;

namespace Pocket.Cli.Report;

/// <summary>
/// The two symbol streams Huffman coding sees for a quantized tensor: for a sparse one, the writer's own relative
/// indices and weight symbols (<see cref="SparseSymbolStreams"/>); a dense quantized tensor has only the code stream.
/// </summary>
public sealed record SymbolStreams(int[] WeightSymbols, int WeightAlphabet, int[]? RelativeIndices, int IndexAlphabet)
{
    public static SymbolStreams Of(PocketTensor tensor) => tensor switch
    {
        QuantizedDenseTensor q => new SymbolStreams(q.Codes.Select(c => (int)c).ToArray(), q.Codebook.Length, null, 0),
        SparseQuantizedTensor s => Sparse(s),
        _ => throw new ArgumentException($"tensor '{tensor.Name}' has no codebook"),
    };

    private static SymbolStreams Sparse(SparseQuantizedTensor s)
    {
        var (indices, symbols) = SparseSymbolStreams.Of(s);
        return new SymbolStreams(symbols, s.Codebook.Length + 1, indices, 1 << s.IndexBits);
    }

    public static long[] Histogram(int[] symbols, int alphabet)
    {
        var counts = new long[alphabet];
        foreach (int s in symbols) counts[s]++;
        return counts;
    }
}
