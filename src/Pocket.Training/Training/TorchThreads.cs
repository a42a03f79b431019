using TorchSharp;

namespace Pocket.Training.Training;

/// <summary>
/// How many threads libtorch may use: one, unless $POCKET_TORCH_THREADS says otherwise. LeNet-sized layers gain
/// little from a second thread, and libtorch's OpenMP workers spin while they wait: next to any other busy process
/// (a second training run, the test assemblies `dotnet test` runs side by side) two threads were measured 2–2.5×
/// slower than one on this 2-core machine (bench/results/baseline.md).
/// </summary>
public static class TorchThreads
{
    private static int _applied;

    /// <summary>The thread count a run uses; results are bit-identical only for the same count.</summary>
    public static int Count => int.TryParse(Environment.GetEnvironmentVariable("POCKET_TORCH_THREADS"), out int n) && n > 0 ? n : 1;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        torch.set_num_threads(Count);
    }
}
