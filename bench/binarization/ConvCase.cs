namespace Pocket.Bench.Binarization;

/// <summary>One conv layer to time: input C×H×W, output channels, square kernel, stride, padding, groups.</summary>
public sealed record ConvCase(string Name, int InChannels, int Height, int Width, int OutChannels, int Kernel, int Stride, int Padding, int Groups)
{
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Multiply-accumulates of the float conv (what the binary kernel replaces with additions).</summary>
    public long MultAdds => (long)OutChannels * OutHeight * OutWidth * (InChannels / Groups) * Kernel * Kernel;

    public string Describe() => $"{InChannels}×{Height}×{Width} → {OutChannels}×{OutHeight}×{OutWidth}, {Kernel}×{Kernel}/{Stride}" +
        (Groups > 1 ? $", {Groups} groups" : "");
}
