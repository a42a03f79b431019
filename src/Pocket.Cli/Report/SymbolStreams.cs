using Pocket.Format;

namespace Pocket.Cli.Report;

/// <summary>
/// The two symbol streams Huffman coding sees for a quantized tensor, rebuilt from the decoded tensor as
/// docs/format.md §relative indices lays them out: for a sparse tensor, one entry per non-zero plus a filler
/// entry (r = 2^b − 1, weight symbol 0) wherever a gap exceeds 2^b; weight symbol c + 1 for codebook index c.
/// A dense quantized tensor has only the code stream, one code per element.
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
        long span = 1L << s.IndexBits, prev = -1;
        var indices = new List<int>(s.Positions.Length);
        var symbols = new List<int>(s.Positions.Length);
        for (int i = 0; i < s.Positions.Length; i++)
        {
            long p = s.Positions[i];
            while (p - prev > span) // a step longer than 2^b needs a filler first
            {
                indices.Add((int)(span - 1));
                symbols.Add(0);
                prev += span;
            }
            indices.Add((int)(p - prev - 1));
            symbols.Add(s.Codes[i] + 1);
            prev = p;
        }
        return new SymbolStreams(symbols.ToArray(), s.Codebook.Length + 1, indices.ToArray(), (int)span);
    }

    public static long[] Histogram(int[] symbols, int alphabet)
    {
        var counts = new long[alphabet];
        foreach (int s in symbols) counts[s]++;
        return counts;
    }
}
