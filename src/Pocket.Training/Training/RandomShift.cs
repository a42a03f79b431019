namespace Pocket.Training.Training;

/// <summary>
/// Training-time augmentation by translation: each training image moved by a random whole number of pixels,
/// −<see cref="MaxPixels"/> to +<see cref="MaxPixels"/> along each axis, the uncovered border filled with zeros (the
/// black background of MNIST-like images), before the model's preprocessing. It is the cheapest augmentation that
/// teaches a small CNN the translation tolerance its pooling only partly gives (Simard, Steinkraus and Platt 2003
/// used elastic distortions; a ±2 pixel shift alone is a common MNIST recipe).
/// <para>The shifts of epoch e depend on the seed and e alone — one draw per image, in the epoch's batch order —
/// so a run resumed after epoch e sees the same images as one that never stopped. Inference never shifts.</para>
/// </summary>
public sealed class RandomShift
{
    public const int MaxAllowed = 8;

    private readonly Random _random;

    public RandomShift(int maxPixels, int seed, int epoch)
    {
        if (Problem(maxPixels) is { } problem) throw new ArgumentOutOfRangeException(nameof(maxPixels), problem);
        MaxPixels = maxPixels;
        _random = new Random(unchecked(seed * 104729 + epoch * 31 + 17));
    }

    public int MaxPixels { get; }

    /// <summary>Why <paramref name="maxPixels"/> is not a usable shift, or null when it is.</summary>
    public static string? Problem(int maxPixels) =>
        maxPixels is < 0 or > MaxAllowed ? $"{maxPixels} is not a shift of 0 to {MaxAllowed} pixels" : null;

    /// <summary>The next image's shift (dx, dy).</summary>
    public (int Dx, int Dy) Next()
    {
        int dx = _random.Next(-MaxPixels, MaxPixels + 1);
        int dy = _random.Next(-MaxPixels, MaxPixels + 1);
        return (dx, dy);
    }

    /// <summary>
    /// Writes <paramref name="source"/> (channels × height × width) moved by (dx, dy) into <paramref name="target"/>:
    /// target[c, y, x] = source[c, y − dy, x − dx] where that lies inside the image, else 0.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, int channels, int height, int width, int dx, int dy, Span<float> target)
    {
        if (source.Length != channels * height * width || target.Length != source.Length)
            throw new ArgumentException($"shift of a {channels}×{height}×{width} image: {source.Length} source and {target.Length} target values");
        target.Clear();
        int x0 = Math.Max(0, dx), x1 = Math.Min(width, width + dx);
        if (x1 <= x0) return;
        for (int c = 0; c < channels; c++)
            for (int y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
                source.Slice((c * height + y - dy) * width + x0 - dx, x1 - x0).CopyTo(target.Slice((c * height + y) * width + x0, x1 - x0));
    }
}
