using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using X86Fma = System.Runtime.Intrinsics.X86.Fma;
using ArmSimd = System.Runtime.Intrinsics.Arm.AdvSimd;

namespace Pocket.Runtime.Ops;

/// <summary>
/// a·b + c, fused when the CPU has an FMA instruction (x64 with FMA3, every ARM64 phone) and as a separate multiply
/// and add otherwise. The fused APIs fall back to a software fma — tens of times slower — when the hardware lacks it,
/// which NativeAOT's default x64 target (no FMA3) would otherwise hit in every inner loop. The choice is a JIT/AOT
/// constant, so one process always uses one form and results stay deterministic.
/// </summary>
internal static class MulAdd
{
    private static bool HasFma => X86Fma.IsSupported || ArmSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float a, float b, float c) => HasFma ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Of(Vector<float> a, Vector<float> b, Vector<float> c) => HasFma ? Vector.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> c) => HasFma ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> c) => HasFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
}
