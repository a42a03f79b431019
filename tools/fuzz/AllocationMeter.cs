namespace Pocket.Fuzz;

/// <summary>
/// Bytes allocated on the calling thread around one call (<see cref="GC.GetAllocatedBytesForCurrentThread"/>): the
/// readers are single-threaded, so this counts everything they allocate, garbage included, whether or not they throw.
/// </summary>
public static class AllocationMeter
{
    /// <summary>Runs <paramref name="action"/> and returns the bytes it allocated; exceptions propagate.</summary>
    public static long Measure(Action action, out Exception? thrown)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        thrown = null;
        try { action(); }
        catch (Exception e) { thrown = e; }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Throws <see cref="FuzzFailure"/> when <paramref name="allocated"/> exceeds <paramref name="bound"/>.</summary>
    public static void Check(string what, long allocated, long bound, int inputLength)
    {
        if (allocated > bound)
            throw new FuzzFailure($"{what} allocated {allocated:N0} bytes for a {inputLength:N0}-byte input, above the bound of {bound:N0}");
    }
}
