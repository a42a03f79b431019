using Pocket.Runtime;

namespace Pocket.Web;

/// <summary>
/// How a picture maps onto a network's input: the gray image's height and width, copied into every channel.
/// A flat input (N×1×1, e.g. LeNet-300-100 exported without a Flatten) whose N is a square is read as an N = side² image.
/// </summary>
public readonly record struct ImageGeometry(int Channels, int Height, int Width)
{
    public static ImageGeometry For(TensorShape input)
    {
        if (input.Height == 1 && input.Width == 1)
        {
            int side = (int)Math.Round(Math.Sqrt(input.Channels));
            if (side * side == input.Channels) return new ImageGeometry(1, side, side);
        }
        return new ImageGeometry(input.Channels, input.Height, input.Width);
    }
}
