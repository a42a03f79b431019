namespace Pocket.Format.Huffman;

/// <summary>
/// Computes length-limited Huffman code lengths from symbol frequencies. An unrestricted Huffman tree can be
/// as deep as the alphabet (Fibonacci-like frequencies), which would break a table-driven decoder, so the
/// tree is rebalanced to at most <c>maxLength</c> levels with the procedure of JPEG (ITU T.81) Annex K.3:
/// repeatedly move a pair of deepest leaves up and split a shallower leaf. It keeps the Kraft sum exactly 1
/// (a complete prefix code) and costs at most a few percent over optimal in the rare cases it triggers.
/// </summary>
internal static class HuffmanCodeLengths
{
    /// <summary>
    /// Code lengths per symbol (0 = symbol unused). No used symbols: all zero. One used symbol: length 1.
    /// Requires at most 2^maxLength used symbols.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<long> frequencies, int maxLength)
    {
        var lengths = new byte[frequencies.Length];
        int used = 0;
        foreach (long f in frequencies) if (f > 0) used++;
        if (used == 0) return lengths;
        if (used > 1L << maxLength) throw new ArgumentException($"{used} used symbols cannot have codes of at most {maxLength} bits");
        var symbols = new int[used];
        for (int s = 0, j = 0; s < frequencies.Length; s++) if (frequencies[s] > 0) symbols[j++] = s;
        if (used == 1)
        {
            lengths[symbols[0]] = 1;
            return lengths;
        }

        // Plain Huffman: nodes 0..used-1 are leaves, later ones internal. Ties break on node id, so the
        // result is deterministic (the same model always encodes to the same bytes).
        int nodeCount = 2 * used - 1;
        var parent = new int[nodeCount];
        var queue = new PriorityQueue<int, (long Weight, int Id)>(used);
        for (int i = 0; i < used; i++) queue.Enqueue(i, (frequencies[symbols[i]], i));
        for (int next = used; next < nodeCount; next++)
        {
            queue.TryDequeue(out int a, out var pa);
            queue.TryDequeue(out int b, out var pb);
            parent[a] = next;
            parent[b] = next;
            queue.Enqueue(next, (pa.Weight + pb.Weight, next));
        }
        // Parents are created after their children, so one reverse pass gives every depth.
        var depth = new int[nodeCount];
        for (int n = nodeCount - 2; n >= 0; n--) depth[n] = depth[parent[n]] + 1;

        int deepest = 0;
        for (int i = 0; i < used; i++) deepest = Math.Max(deepest, depth[i]);
        var countPerLength = new long[Math.Max(deepest, maxLength) + 1];
        for (int i = 0; i < used; i++) countPerLength[depth[i]]++;

        // JPEG Annex K.3 (Adjust_BITS): lift pairs of leaves from the too-deep levels.
        for (int i = deepest; i > maxLength; i--)
        {
            while (countPerLength[i] > 0)
            {
                int j = i - 2;
                while (countPerLength[j] == 0) j--;
                countPerLength[i] -= 2;
                countPerLength[i - 1] += 1;
                countPerLength[j + 1] += 2;
                countPerLength[j] -= 1;
            }
        }

        // Hand the shortest lengths to the most frequent symbols (ties: lower symbol first).
        var order = (int[])symbols.Clone();
        var freqCopy = frequencies.ToArray();
        Array.Sort(order, (x, y) =>
        {
            int c = freqCopy[y].CompareTo(freqCopy[x]);
            return c != 0 ? c : x.CompareTo(y);
        });
        int k = 0;
        for (int len = 1; len <= maxLength; len++)
            for (long c = 0; c < countPerLength[len]; c++)
                lengths[order[k++]] = (byte)len;
        return lengths;
    }
}
