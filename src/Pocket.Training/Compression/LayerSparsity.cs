namespace Pocket.Training.Compression;

/// <summary>How many of a layer's weights survive pruning.</summary>
public sealed record LayerSparsity(string Layer, long Weights, long Kept)
{
    public double KeptFraction => Weights == 0 ? 0 : (double)Kept / Weights;

    public static LayerSparsity Total(IEnumerable<LayerSparsity> layers)
    {
        var list = layers.ToList();
        return new LayerSparsity("total", list.Sum(l => l.Weights), list.Sum(l => l.Kept));
    }
}
