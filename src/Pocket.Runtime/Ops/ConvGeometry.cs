namespace Pocket.Runtime.Ops;

/// <summary>The shape arithmetic of one 2-D convolution, shared by the dense, depthwise and binary kernels.</summary>
internal readonly record struct ConvGeometry(
    int InChannels, int InHeight, int InWidth,
    int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int Groups)
{
    public int OutHeight => (InHeight + 2 * PadH - KernelH) / StrideH + 1;

    public int OutWidth => (InWidth + 2 * PadW - KernelW) / StrideW + 1;

    public int OutPlane => OutHeight * OutWidth;

    public int InPlane => InHeight * InWidth;

    public int InChannelsPerGroup => InChannels / Groups;

    public int OutChannelsPerGroup => OutChannels / Groups;

    /// <summary>Length of one filter: the reduction size of the convolution GEMM.</summary>
    public int FilterLength => InChannelsPerGroup * KernelH * KernelW;

    /// <summary>A 1×1, stride-1, unpadded convolution reads its input as the im2col matrix directly.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    public string Describe() =>
        $"{InChannels}->{OutChannels} k{KernelH}x{KernelW} s{StrideH}x{StrideW} p{PadH}x{PadW} g{Groups}";
}
