namespace Pocket.Training.Training;

/// <summary>
/// libtorch as Pocket uses it, set up once per process before its first convolution: the thread count
/// (<see cref="TorchThreads"/>), no NNPACK (<see cref="LibTorchContext.DisableNnpack"/>), and a float32 conv that is
/// right on this CPU.
/// <para>
/// <see cref="LibTorchConvCheck"/> compares libtorch's float32 conv with float64. On a CPU where oneDNN's JIT convs are
/// known to be wrong (AMD Zen 5), oneDNN's ISA is first capped at SSE4.1 (<see cref="OneDnnIsaCap"/>: oneDNN reads the
/// cap once, before its first primitive, so it cannot be tried after a failed check). When oneDNN (libtorch's default
/// conv path on x86-64) still fails the check, Pocket turns oneDNN off in libtorch's global context, so conv takes
/// libtorch's native path (im2col + BLAS), checks again, and says so in one line. A machine whose conv passes keeps
/// oneDNN and pays only the check, once per process (bench/results/libtorch-conv.md).
/// </para>
/// </summary>
public static class TorchBackend
{
    private static readonly object Gate = new();
    private static ConvPath? _path;

    /// <summary>How the one line about a changed conv path starts.</summary>
    public const string NoticePrefix = "pocket: libtorch's oneDNN float32 conv is wrong on this CPU";

    /// <summary>How the one line about a capped oneDNN starts (a CPU of <see cref="OneDnnIsaCap.IsKnownWrongCpu"/>).</summary>
    public const string CapNoticePrefix = "pocket: libtorch's oneDNN float32 conv is wrong on this CPU above SSE4.1; oneDNN is capped there";

    /// <summary>The conv path as a run's journal records it: the path, and oneDNN's ISA cap when one is in effect.</summary>
    public static string ConvPathDescription => Ensure() == Training.ConvPath.OneDnn && OneDnnIsaCap.InEffect is { } isa
        ? $"{Training.ConvPath.OneDnn} ({OneDnnIsaCap.Variable}={isa})"
        : Ensure().ToString();

    /// <summary>Where the one line about a changed conv path goes (stderr unless a host says otherwise).</summary>
    public static Action<string> Notify { get; set; } = line => Console.Error.WriteLine(line);

    /// <summary>The conv path in use, after the check (runs it on first call).</summary>
    public static ConvPath ConvPath => Ensure();

    /// <summary>Sets the thread count and checks conv once; later calls return at once. Thread-safe.</summary>
    public static ConvPath Ensure()
    {
        lock (Gate) // taken once per model, training run or evaluation: cheap next to any of them
        {
            if (_path is { } decided) return decided;
            string? capped = OneDnnIsaCap.ApplyForThisCpu();
            TorchThreads.Apply();
            LibTorchContext.DisableNnpack();
            var first = LibTorchConvCheck.Run();
            if (first.Passed)
            {
                if (capped is not null)
                    Notify($"{CapNoticePrefix} ({OneDnnIsaCap.Variable}={capped}, checked against float64)");
                _path = Training.ConvPath.OneDnn;
                return _path.Value;
            }
            LibTorchContext.UseOneDnn(false);
            var second = LibTorchConvCheck.Run();
            if (!second.Passed)
                throw new LibTorchException(
                    $"libtorch's float32 conv is wrong on this CPU with and without oneDNN ({second.WorstCase}: {second.WorstError:E1} relative to float64)");
            Notify($"{NoticePrefix} ({first.WorstCase}: {first.WorstError:E1} relative to float64); " +
                   "convolutions use libtorch's native path instead");
            _path = Training.ConvPath.Native;
            return _path.Value;
        }
    }

    /// <summary>
    /// For benchmarks of the paths themselves: takes <paramref name="path"/> without the check. Results are
    /// only right where the check would pass for it.
    /// </summary>
    public static void UseWithoutCheck(ConvPath path)
    {
        lock (Gate)
        {
            TorchThreads.Apply();
            LibTorchContext.DisableNnpack();
            LibTorchContext.UseOneDnn(path == Training.ConvPath.OneDnn);
            _path = path;
        }
    }
}
