namespace Pocket.Format.Sparse;

/// <summary>
/// The relative-index representation of a pruned tensor (Han et al. 2015, §2 and Figure 2).
/// <para>
/// Positions are flat row-major indices p₀ &lt; p₁ &lt; … of the non-zeros. Each entry stores the step from
/// the previous entry, <c>diff = p − prev</c> with <c>prev = −1</c> before the first entry, as the b-bit value
/// <c>r = diff − 1</c> (the number of zeros skipped), so r ∈ [0, 2^b − 1] covers steps of 1..2^b. When a step
/// exceeds 2^b, <b>filler</b> entries are inserted first: r = 2^b − 1 with the reserved weight symbol 0, each
/// standing for a zero at <c>prev + 2^b</c> and advancing prev by 2^b. In the weight-code stream, symbol 0 is
/// the filler and symbol c + 1 is codebook index c, so the code alphabet has k + 1 symbols.
/// </para>
/// </summary>
internal static class RelativeIndexCodec
{
    public const int FillerSymbol = 0;

    /// <summary>Entries (fillers included) needed for the given positions; positions must be ascending and ≥ 0.</summary>
    public static long CountEntries(ReadOnlySpan<int> positions, int indexBits)
    {
        long span = 1L << indexBits, prev = -1, entries = 0;
        foreach (int p in positions)
        {
            entries += (p - prev - 1) / span + 1; // fillers while the step exceeds 2^b, then the entry itself
            prev = p;
        }
        return entries;
    }

    /// <summary>Splits positions and codes into the relative-index and weight-symbol streams.</summary>
    public static (int[] RelativeIndices, int[] WeightSymbols) Encode(ReadOnlySpan<int> positions, ReadOnlySpan<ushort> codes, int indexBits)
    {
        long entries = CountEntries(positions, indexBits);
        if (entries > int.MaxValue) throw new ArgumentException("too many relative-index entries");
        var indices = new int[entries];
        var symbols = new int[entries];
        long span = 1L << indexBits, prev = -1;
        int k = 0;
        for (int i = 0; i < positions.Length; i++)
        {
            long p = positions[i];
            while (p - prev > span)
            {
                indices[k] = (int)(span - 1);
                symbols[k++] = FillerSymbol;
                prev += span;
            }
            indices[k] = (int)(p - prev - 1);
            symbols[k++] = codes[i] + 1;
            prev = p;
        }
        return (indices, symbols);
    }

    /// <summary>
    /// Rebuilds positions and codes. Returns null with <paramref name="problem"/> and the failing entry when the
    /// streams are inconsistent: a filler with r ≠ 2^b − 1, a trailing filler, a position beyond the tensor, or a
    /// non-zero count different from <paramref name="nonZeroCount"/>. Ascending order holds by construction.
    /// </summary>
    public static (int[] Positions, ushort[] Codes)? Decode(
        ReadOnlySpan<int> relativeIndices, ReadOnlySpan<int> weightSymbols, int indexBits, long elementCount, int nonZeroCount,
        out string problem, out long failedEntry)
    {
        long span = 1L << indexBits, prev = -1;
        var positions = new int[nonZeroCount];
        var codes = new ushort[nonZeroCount];
        int n = 0;
        failedEntry = -1;
        for (int i = 0; i < relativeIndices.Length; i++)
        {
            long position = prev + relativeIndices[i] + 1;
            if (weightSymbols[i] == FillerSymbol)
            {
                if (relativeIndices[i] != span - 1) { problem = $"is a filler with relative index {relativeIndices[i]} (must be {span - 1})"; failedEntry = i; return null; }
                if (i == relativeIndices.Length - 1) { problem = "is a filler not followed by a non-zero"; failedEntry = i; return null; }
            }
            else
            {
                if (position >= elementCount) { problem = $"decodes to position {position}, beyond the {elementCount} elements"; failedEntry = i; return null; }
                if (n == nonZeroCount) { problem = $"is non-zero number {n + 1}, more than the declared {nonZeroCount}"; failedEntry = i; return null; }
                positions[n] = (int)position;
                codes[n++] = (ushort)(weightSymbols[i] - 1);
            }
            prev = position;
        }
        if (n != nonZeroCount) { problem = $"decode to {n} non-zeros, not the declared {nonZeroCount}"; return null; }
        problem = "";
        return (positions, codes);
    }
}
