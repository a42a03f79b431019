namespace Pocket.Runtime;

/// <summary>The shape of one sample's activation, channels × height × width (a flat vector is N × 1 × 1).</summary>
public readonly record struct TensorShape(int Channels, int Height, int Width)
{
    public int Length => Channels * Height * Width;

    public int Plane => Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
