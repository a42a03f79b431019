namespace Pocket.Runtime.Ops;

/// <summary>
/// Pooling window arithmetic with PyTorch's exact rules: floor or ceil output size, and in ceil mode the last
/// window is dropped when it would start beyond the input plus the left padding (so no window lies entirely in
/// padding).
/// </summary>
internal readonly record struct PoolGeometry(
    int Channels, int InHeight, int InWidth,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, bool CeilMode)
{
    public int OutHeight => OutputSize(InHeight, KernelH, StrideH, PadH, CeilMode);

    public int OutWidth => OutputSize(InWidth, KernelW, StrideW, PadW, CeilMode);

    public static int OutputSize(int input, int kernel, int stride, int pad, bool ceilMode)
    {
        int span = input + 2 * pad - kernel;
        if (span < 0) return 0;
        int output = (ceilMode ? Im2Col.CeilDiv(span, stride) : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + pad) output--;
        return output;
    }

    public string Describe() => $"k{KernelH}x{KernelW} s{StrideH}x{StrideW} p{PadH}x{PadW}{(CeilMode ? " ceil" : "")}";
}
