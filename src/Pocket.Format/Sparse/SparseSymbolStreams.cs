using Pocket.Format.Sparse;

namespace Pocket.Format;

/// <summary>
/// The two symbol streams a sparse tensor is stored as — relative indices with fillers, and weight symbols (0 for a
/// filler, codebook index + 1 otherwise) — exactly as the writer Huffman-codes them (docs/format.md). Public so tools
/// (plots of what Huffman sees) use the writer's own layout instead of rebuilding it.
/// </summary>
public static class SparseSymbolStreams
{
    public static (int[] RelativeIndices, int[] WeightSymbols) Of(SparseQuantizedTensor tensor) =>
        RelativeIndexCodec.Encode(tensor.Positions, tensor.Codes, tensor.IndexBits);
}
