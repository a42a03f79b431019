namespace Pocket.Onnx;

/// <summary>
/// One sample's shape (channels, height, width) as Pocket's graph sees it. The exporter needs it to restore a 4-D
/// tensor after a 2-D one (Reshape) and to check each node before writing it.
/// </summary>
internal readonly record struct ChwShape(int Channels, int Height, int Width)
{
    public long Length => (long)Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
