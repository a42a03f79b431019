namespace Pocket.Runtime.Ops;

/// <summary>
/// Splits [0, count) into contiguous chunks run on up to <c>parallelism</c> threads. Each output element is still
/// produced by exactly one chunk with the same arithmetic, so results do not depend on the thread count.
/// </summary>
internal static class ParallelRange
{
    /// <summary>
    /// Multiply-adds a GEMM-shaped chunk must hold before a layer is split (about 15–20 µs of AVX-512 work): below
    /// that, handing a chunk to another core and reading its inputs from there cost more than the chunk. Measured on
    /// MobileNet α 0.25 at 128 (bench/results/runtime.md, session 9): with splits from 0.26 M multiply-adds, two threads
    /// made 20 of its 29 layers slower than one.
    /// </summary>
    public const long MinMultiplyAdds = 1L << 21;

    /// <summary>The same for memory-bound kernels (depthwise filters), which do about a tenth of the multiply-adds per µs.</summary>
    public const long MinStreamedMultiplyAdds = 1L << 18;

    /// <summary>Items per chunk for chunks of at least <paramref name="minimum"/> multiply-adds.</summary>
    public static int MinItems(long multiplyAddsPerItem, long minimum = MinMultiplyAdds) =>
        (int)Math.Clamp((minimum + Math.Max(1, multiplyAddsPerItem) - 1) / Math.Max(1, multiplyAddsPerItem), 1, int.MaxValue);

    public static void For(int count, int parallelism, int minChunk, Action<int, int> body)
    {
        int chunks = Math.Min(parallelism, count / Math.Max(1, minChunk));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }

        // The spinning workers when free (a section every few hundred µs must not wake sleeping threads); the thread
        // pool when another call holds them. The chunk boundaries are the same either way.
        if (SpinningWorkers.Shared.TryRun(count, chunks, body)) return;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks },
            c => body((int)((long)c * count / chunks), (int)((long)(c + 1) * count / chunks)));
    }
}
