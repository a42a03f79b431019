using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArmSimd = System.Runtime.Intrinsics.Arm.AdvSimd;

namespace Pocket.Runtime.Ops;

/// <summary>
/// a·b + c, fused when the CPU has an FMA instruction (x64 with FMA3, every ARM64 phone) and as a separate multiply
/// and add otherwise. The fused APIs fall back to a software fma (a call per element) when FMA code cannot be
/// generated, which NativeAOT's default x64 target would otherwise hit in every inner loop. The choice is a
/// compile-time constant, so one process always uses one form and results stay deterministic.
/// </summary>
internal static class MulAdd
{
    // Both flags must be compile-time constants. NativeAOT answers X86.Fma.IsSupported / Vector256.IsHardwareAccelerated
    // at run time when the ISA is outside its target (default x64 target: no AVX2/FMA3), and a method that asks is
    // neither folded nor inlined: asking here made every multiply-add a call and LeNet-5 4-8x slower (measured).
    // Vector<float>.Count is fixed at compile time: 8 means AVX2 code generation, which in practice comes with FMA3
    // (x86-64-v3); ARM64 always has NEON FMA. Elsewhere the unfused form is used.
    internal static bool HasFma => Vector<float>.Count >= 8 || ArmSimd.Arm64.IsSupported;

    /// <summary>Whether Vector256 operations compile to AVX2 instructions (same compile-time reasoning as <see cref="HasFma"/>).</summary>
    internal static bool Has256BitVectors => Vector<float>.Count >= 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float a, float b, float c) => HasFma ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Of(Vector<float> a, Vector<float> b, Vector<float> c) => HasFma ? Vector.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> a, Vector256<float> b, Vector256<float> c) => HasFma ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> a, Vector128<float> b, Vector128<float> c) => HasFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
}
