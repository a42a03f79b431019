namespace Pocket.Runtime.Ops;

/// <summary>
/// Splits [0, count) into contiguous chunks run on up to <c>parallelism</c> threads. Each output element is still
/// produced by exactly one chunk with the same arithmetic, so results do not depend on the thread count.
/// </summary>
internal static class ParallelRange
{
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
