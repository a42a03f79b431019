using Pocket.Format.Streams;

namespace Pocket.Format.Arithmetic;

/// <summary>
/// Context-adaptive binary arithmetic coding of a symbol stream (DeepCABAC-style, docs/format.md §5.5): each
/// symbol is binarised as its w = FixedWidth(alphabet) bits, most significant first, walking a binary tree whose
/// node selects the adaptive context (<see cref="AdaptiveBit"/>); the context set is chosen by
/// <see cref="ContextModel"/>. No table is stored: the model learns the distribution as it codes.
/// </summary>
internal static class AdaptiveBinaryCode
{
    /// <summary>Most tree nodes (contexts) a stream may use: 4096 × 4 bytes of model, whatever the header says.</summary>
    public const int MaxContexts = 4096;

    public const int MinHalvingExponent = 1;
    public const int MaxHalvingExponent = 15;

    /// <summary>The halving exponents the writer tries, from fast to no adaptation.</summary>
    public static ReadOnlySpan<byte> WriterHalvingExponents => [5, 7, 9, 11, 13, 15];

    /// <summary>Contexts the stream needs: 2^w tree nodes per set (node 0 unused), one set or one per symbol value.</summary>
    public static long ContextCount(ContextModel model, int alphabetSize)
    {
        long nodes = 1L << SymbolStream.FixedWidth(alphabetSize);
        return model == ContextModel.PreviousSymbol ? nodes * alphabetSize : nodes;
    }

    /// <summary>
    /// Whether a stream may use this model: at most 4096 contexts, and no more contexts than payload bytes, so the
    /// model's 4 bytes per context are paid for by the file like every other allocation of the reader.
    /// </summary>
    public static bool IsAllowed(ContextModel model, int alphabetSize, long payloadBytes)
    {
        if (!Enum.IsDefined(model) || alphabetSize < 1) return false;
        long contexts = ContextCount(model, alphabetSize);
        return contexts <= MaxContexts && contexts <= payloadBytes;
    }

    public static byte[] Encode(ReadOnlySpan<int> symbols, int alphabetSize, ContextModel model, int halvingExponent)
    {
        int width = SymbolStream.FixedWidth(alphabetSize);
        var contexts = new AdaptiveBit[ContextCount(model, alphabetSize)];
        var encoder = new RangeEncoder();
        int previous = 0;
        foreach (int symbol in symbols)
        {
            int set = model == ContextModel.PreviousSymbol ? previous << width : 0;
            int node = 1;
            for (int j = width - 1; j >= 0; j--)
            {
                int bit = (symbol >> j) & 1;
                ref var context = ref contexts[set + node];
                encoder.Encode(bit, context.ProbabilityOfZero);
                context.Update(bit, halvingExponent);
                node = (node << 1) | bit;
            }
            previous = symbol;
        }
        return encoder.Finish();
    }

    /// <summary>
    /// Decodes <paramref name="output"/>.Length symbols. Returns the index of the first decoded value that is not
    /// below the alphabet size, or −1 when all are valid; <paramref name="bytesConsumed"/> counts the payload bytes
    /// the decoder read, the implicit zeros past its end included.
    /// </summary>
    public static long Decode(ReadOnlySpan<byte> payload, int alphabetSize, ContextModel model, int halvingExponent, Span<int> output, out long bytesConsumed)
    {
        int width = SymbolStream.FixedWidth(alphabetSize);
        var contexts = new AdaptiveBit[ContextCount(model, alphabetSize)];
        var decoder = new RangeDecoder(payload);
        int previous = 0;
        for (int i = 0; i < output.Length; i++)
        {
            int set = model == ContextModel.PreviousSymbol ? previous << width : 0;
            int node = 1;
            for (int j = 0; j < width; j++)
            {
                ref var context = ref contexts[set + node];
                int bit = decoder.Decode(context.ProbabilityOfZero);
                context.Update(bit, halvingExponent);
                node = (node << 1) | bit;
            }
            int symbol = node - (1 << width);
            if (symbol >= alphabetSize)
            {
                bytesConsumed = decoder.BytesConsumed;
                return i;
            }
            output[i] = symbol;
            previous = symbol;
        }
        bytesConsumed = decoder.BytesConsumed;
        return -1;
    }
}
