namespace Pocket.Training.Compression;

/// <summary>What compression without data does (<see cref="DataFreeCompression"/>).</summary>
public sealed record DataFreeOptions
{
    /// <summary>The mean output cosine similarity to the original the chosen keep and bits must hold on the calibration inputs.</summary>
    public double MinCosine { get; init; } = DefaultMinCosine;

    /// <summary>Kept fractions given by the user instead of chosen (`--keep`).</summary>
    public PruningRule? Keep { get; init; }

    /// <summary>Bits given by the user instead of chosen (`--bits`).</summary>
    public BitWidths? Bits { get; init; }

    public CentroidInitialization Initialization { get; init; } = CentroidInitialization.Linear;
    public int Seed { get; init; } = 1;
    public PocketEncoder.Options Encoding { get; init; } = new();

    /// <summary>
    /// 0.99: measured on a 3-epoch LeNet-300-100 (bench/results/data-free.md), 98.8 % top-1 agreement with the original
    /// on held-out images and 0.18 point of MNIST accuracy lost, at 29.6×; 0.98 and 0.95 bought bytes (40×, 57×) with
    /// 0.6 and 2.2 points.
    /// </summary>
    public const double DefaultMinCosine = 0.99;

    /// <summary>
    /// The floor pruning is held to when quantization is chosen after it: the budget of output change, 1 − min
    /// cosine, goes half to pruning and the rest to quantization, so pruning cannot spend it all and leave every
    /// layer in float32.
    /// </summary>
    public double PruningFloor => Bits is null ? 1 - (1 - MinCosine) / 2 : MinCosine;
}
