using System.Diagnostics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Persistent worker threads that help run the chunks of one parallel layer and then spin, waiting for the next
/// layer's, before they go to sleep. A single prediction runs dozens of parallel sections of 20–500 µs each; handing
/// each to the thread pool (Parallel.For) wakes a sleeping thread every time, and on this project's 2-core VM that
/// wake-up cost about as much as the work: SqueezeNet 1.1 at 224 ran slower with two threads than with one
/// (bench/results/runtime.md). ONNX Runtime's intra-op pool spins for the same reason.
/// <para>Chunks are claimed, not assigned: the calling thread and the workers take the next unclaimed chunk until
/// none is left, so a worker the OS has not scheduled (another process spinning on its core) costs nothing but its
/// share of the speed-up, never a wait. Each chunk is a fixed range, so which thread runs it never changes a result.
/// Workers spin for <see cref="SpinTime"/> after their last chunk and then block, so an idle app burns no core.
/// One caller at a time owns the workers; a concurrent caller gets <c>false</c> from <see cref="TryRun"/>.</para>
/// </summary>
internal sealed class SpinningWorkers
{
    /// <summary>How long an idle worker polls for the next section before it blocks: longer than the serial gaps
    /// inside one prediction (an im2col block, a concat), short enough that an app idle between frames pays nothing.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    public static TimeSpan SpinTime => TimeSpan.FromSeconds((double)SpinTicks / Stopwatch.Frequency);

    /// <summary>The process's workers: one fewer than the cores, created as sections first need them.</summary>
    public static SpinningWorkers Shared { get; } = new(Math.Max(0, Environment.ProcessorCount - 1));

    private readonly int _maxWorkers;
    private readonly Worker[] _workers;
    private int _started;
    private int _owned; // 1 while a caller runs a section

    // The current section. Its fields are written before its generation is published in _claim and stay unchanged
    // until all of its chunks are done, so whoever claims a chunk of generation g reads g's fields.
    private Action<int, int>? _body;
    private int _count, _chunks, _pending;
    private Exception? _error;
    private long _generation;
    private long _claim; // generation << 32 | next unclaimed chunk

    private SpinningWorkers(int maxWorkers)
    {
        _maxWorkers = maxWorkers;
        _workers = new Worker[maxWorkers];
    }

    /// <summary>
    /// Runs body over [0, count) split into <paramref name="chunks"/> contiguous chunks on the calling thread and up
    /// to chunks − 1 workers, and returns when all are done (rethrowing a chunk's exception). Returns false, having
    /// run nothing, when another caller owns the workers or the process has too few cores for any.
    /// </summary>
    public bool TryRun(int count, int chunks, Action<int, int> body)
    {
        if (_maxWorkers == 0 || OperatingSystem.IsBrowser()) return false;
        if (Interlocked.CompareExchange(ref _owned, 1, 0) != 0) return false;
        try
        {
            int helpers = Math.Min(chunks - 1, _maxWorkers);
            EnsureStarted(helpers);
            long generation = ++_generation;
            _body = body;
            _count = count;
            _chunks = chunks;
            _error = null;
            _pending = chunks;
            Interlocked.Exchange(ref _claim, generation << 32); // full fence: the fields above are visible first
            for (int w = 0; w < helpers; w++) _workers[w].Hand(generation);

            RunChunks(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _body = null;
            if (_error is { } error) throw new AggregateException(error);
            return true;
        }
        finally
        {
            Volatile.Write(ref _owned, 0);
        }
    }

    /// <summary>Claims and runs chunks of section <paramref name="generation"/> until none is left (or that section is over).</summary>
    private void RunChunks(long generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            if (claim >> 32 != generation) return;
            int chunk = (int)(claim & 0xFFFF_FFFF), chunks = _chunks;
            if (chunk >= chunks) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            int start = (int)((long)chunk * _count / chunks), end = (int)((long)(chunk + 1) * _count / chunks);
            try { _body!(start, end); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            Interlocked.Decrement(ref _pending);
        }
    }

    private void EnsureStarted(int workers)
    {
        // Only the owning caller gets here, so starting threads needs no further lock.
        for (; _started < workers; _started++)
        {
            var worker = new Worker(this, _started);
            _workers[_started] = worker;
            worker.Start();
        }
    }

    private sealed class Worker(SpinningWorkers pool, int index)
    {
        private readonly SemaphoreSlim _signal = new(0);
        private long _ticket; // the generation of the last section handed to this worker
        private int _asleep;  // 1 while blocked (or about to block) on _signal

        public void Start() => new Thread(Loop) { IsBackground = true, Name = $"Pocket.Runtime worker {index + 1}" }.Start();

        /// <summary>Called by the owner after publishing a section: the ticket, and one signal if the worker went to sleep.</summary>
        public void Hand(long generation)
        {
            Interlocked.Exchange(ref _ticket, generation);
            if (Interlocked.Exchange(ref _asleep, 0) == 1) _signal.Release();
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                seen = WaitForNext(seen);
                pool.RunChunks(seen);
            }
        }

        private long WaitForNext(long seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            long ticket;
            while ((ticket = Volatile.Read(ref _ticket)) == seen)
            {
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(16);
                    continue;
                }
                // Announce the sleep (full fence), then look once more: a ticket handed before the announcement is
                // seen here; one handed after it finds _asleep = 1 and signals.
                Interlocked.Exchange(ref _asleep, 1);
                if ((ticket = Volatile.Read(ref _ticket)) != seen)
                {
                    // The owner may have taken the announcement already; then its signal is on the way and must be consumed.
                    if (Interlocked.Exchange(ref _asleep, 0) == 0) _signal.Wait();
                    return ticket;
                }
                _signal.Wait();
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
            return ticket;
        }
    }
}
