using System.Diagnostics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Persistent worker threads that run the chunks of one parallel layer and then spin, waiting for the next layer's,
/// before they go to sleep. A single prediction runs dozens of parallel sections of 20–500 µs each; handing each to
/// the thread pool (Parallel.For) wakes a sleeping thread every time, and on this project's 2-core VM that wake-up
/// alone cost about as much as the work: SqueezeNet 1.1 at 224 ran slower with two threads than with one (5.5 →
/// 6.5 ms summed over layers, bench/results/runtime.md). ONNX Runtime's intra-op pool spins for the same reason.
/// Workers spin for <see cref="SpinTime"/> after their last chunk and then block, so an idle app burns no core.
/// One caller at a time owns the workers; a concurrent caller gets <c>false</c> from <see cref="TryRun"/> and runs
/// its chunks another way. Which thread runs a chunk never changes its result.
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

    // The current section, published before the workers' tickets move on and read by a worker after its ticket moved.
    private Action<int, int>? _body;
    private int _count, _chunks, _pending;
    private Exception? _error;
    private long _generation; // sections run so far; only the owner writes it

    private SpinningWorkers(int maxWorkers)
    {
        _maxWorkers = maxWorkers;
        _workers = new Worker[maxWorkers];
    }

    /// <summary>
    /// Runs body over [0, count) split into <paramref name="chunks"/> contiguous chunks, chunk c on worker c − 1 and
    /// chunk 0 on the calling thread, and returns when all are done (rethrowing a chunk's exception). Returns false,
    /// having run nothing, when the workers are busy with another caller's section or there are too few of them.
    /// </summary>
    public bool TryRun(int count, int chunks, Action<int, int> body)
    {
        if (chunks - 1 > _maxWorkers || OperatingSystem.IsBrowser()) return false;
        if (Interlocked.CompareExchange(ref _owned, 1, 0) != 0) return false;
        try
        {
            EnsureStarted(chunks - 1);
            _body = body;
            _count = count;
            _chunks = chunks;
            _error = null;
            Volatile.Write(ref _pending, chunks - 1);
            long generation = ++_generation;
            // Only the workers this section needs get a ticket, so a worker never runs a chunk of a section it was
            // not handed, however late it looks.
            for (int w = 0; w < chunks - 1; w++) _workers[w].Hand(generation);

            RunChunk(0);
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

    private void RunChunk(int chunk)
    {
        int start = (int)((long)chunk * _count / _chunks), end = (int)((long)(chunk + 1) * _count / _chunks);
        try { _body!(start, end); }
        catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
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

        /// <summary>Called by the owner after publishing a section: the ticket (a full fence, so the section's
        /// fields are visible first), and one signal if the worker went to sleep.</summary>
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
                pool.RunChunk(index + 1);
                Interlocked.Decrement(ref pool._pending);
            }
        }

        private long WaitForNext(long seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            long generation;
            while ((generation = Volatile.Read(ref _ticket)) == seen)
            {
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(16);
                    continue;
                }
                // Announce the sleep (full fence), then look once more: a ticket handed before the announcement is
                // seen here; one handed after it finds _asleep = 1 and signals.
                Interlocked.Exchange(ref _asleep, 1);
                if ((generation = Volatile.Read(ref _ticket)) != seen)
                {
                    // The owner may have taken the announcement already; then its signal is on the way and must be consumed.
                    if (Interlocked.Exchange(ref _asleep, 0) == 0) _signal.Wait();
                    return generation;
                }
                _signal.Wait();
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
            return generation;
        }
    }
}
