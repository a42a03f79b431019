namespace Pocket.Training.Compression;

/// <summary>Where k-means starts (Han et al. 2016, Section 3.1 and Figure 4).</summary>
public enum CentroidInitialization
{
    /// <summary>Evenly spaced over [min, max] of the weights: keeps centroids on the rare large weights. The paper's best.</summary>
    Linear,

    /// <summary>Evenly spaced over the empirical CDF: centroids crowd around the dense peaks near zero.</summary>
    Density,

    /// <summary>Forgy: k weights drawn at random (seeded).</summary>
    Random,
}
