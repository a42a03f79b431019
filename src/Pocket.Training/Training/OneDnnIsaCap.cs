using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Pocket.Training.Training;

/// <summary>
/// Caps the instruction set of libtorch's bundled oneDNN (its <c>ONEDNN_MAX_CPU_ISA</c>) on CPUs where its JIT convs are
/// known to be wrong, before its first use, so that float32 conv can stay on oneDNN there rather than fall back to
/// libtorch's native kernels.
/// <para>
/// Why: on AMD Zen 5 (family 26) oneDNN 3.7.1's float32 conv is wrong with its default ISA (avx512_core: 9.7e-1 of the
/// scale on LeNet-5's conv1 weight gradient) and still with AVX2 (7.8e-1); capped at SSE4.1 (its gemm path) it passes
/// <see cref="LibTorchConvCheck"/>. oneDNN reads the variable once, at its first primitive, so the cap cannot be tried
/// after the check has failed on the default: it is chosen up front from the CPU, and the check still decides.
/// Capped, one epoch ran 1.0–4× faster than on the native path (bench/results/libtorch-conv.md, session 15). A user's
/// own <c>ONEDNN_MAX_CPU_ISA</c> is never overridden.
/// </para>
/// </summary>
public static partial class OneDnnIsaCap
{
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The cap set for a known CPU: oneDNN's gemm-based convs, the only setting right on Zen 5.</summary>
    public const string KnownGoodIsa = "SSE41";

    /// <summary>The cap in effect for this process: one the user set, the one <see cref="ApplyForThisCpu"/> set, or null.</summary>
    public static string? InEffect => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } isa ? isa : _applied;

    private static string? _applied;

    /// <summary>Whether this CPU is one where oneDNN 3.7.1's JIT convs were measured wrong: AMD family 26 (Zen 5).</summary>
    public static bool IsKnownWrongCpu()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163; // "AuthenticAMD"
        int eax = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (eax >> 8) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily;
        return amd && family == 0x1A;
    }

    /// <summary>
    /// Sets the cap in the process's native environment when this CPU needs it and the user set none. Must run
    /// before libtorch's first oneDNN primitive (TorchBackend calls it before its check); returns the cap it set.
    /// </summary>
    public static string? ApplyForThisCpu()
    {
        if (_applied is not null || Environment.GetEnvironmentVariable(Variable) is { Length: > 0 }) return null;
        if (!IsKnownWrongCpu() || OperatingSystem.IsWindows()) return null;
        // oneDNN reads the C environment (getenv); .NET's Environment.SetEnvironmentVariable does not reach it on Unix.
        if (SetEnv(Variable, KnownGoodIsa, 0) != 0) return null;
        _applied = KnownGoodIsa;
        return _applied;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
