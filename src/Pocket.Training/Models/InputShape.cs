namespace Pocket.Training.Models;

/// <summary>The shape of one input sample, channels × height × width.</summary>
public readonly record struct InputShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";

    /// <summary>Parses "CxHxW" (e.g. "3x224x224").</summary>
    public static InputShape Parse(string text)
    {
        var parts = text.Split('x', 'X', '×');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out int v) && v > 0))
            throw new ArgumentException($"input shape '{text}' is not CxHxW with positive integers");
        return new InputShape(int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }
}
