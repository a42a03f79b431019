using Pocket.Training.Checkpoints;
using Pocket.Training.Compression.Binarization;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using static TorchSharp.torch;

namespace Pocket.Training.Compression;

/// <summary>
/// Prunes each layer alone at a range of kept fractions, without retraining, and measures test accuracy:
/// the curves tell how hard each layer can be pruned (Han et al. 2015, Figure 6).
/// </summary>
public static class SensitivityAnalysis
{
    public static readonly double[] DefaultLevels = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01];

    public sealed record Point(double Kept, double Accuracy);

    public sealed record Curve(string Layer, long Weights, IReadOnlyList<Point> Points);

    public static IReadOnlyList<Curve> Run(Checkpoint checkpoint, ImageDataset test, IReadOnlyList<double>? levels = null,
        Action<string, double>? progress = null)
    {
        levels ??= DefaultLevels;
        using var model = ModuleState.Restore(checkpoint);
        var curves = new List<Curve>();
        // Binarized filters (SEP-Net after `pocket binarize`) are left out: compression never prunes them either.
        foreach (var (name, weight) in BinarizedLayers.NotBinarized(model, checkpoint))
        {
            using var original = weight.detach().clone();
            Tensor? previous = checkpoint.Masks.TryGetValue(name, out var m) ? tensor(m, weight.shape) : null;
            var points = new List<Point>();
            foreach (double keep in levels)
            {
                progress?.Invoke(PocketModule.LayerName(name), keep);
                using (no_grad())
                using (var mask = MagnitudePruner.MaskKeepFraction(original, keep, previous))
                    weight.copy_(original.mul(mask));
                points.Add(new Point(keep, Evaluator.Evaluate(model, test, model.InputShape).Accuracy));
            }
            using (no_grad()) weight.copy_(original);
            previous?.Dispose();
            curves.Add(new Curve(PocketModule.LayerName(name), weight.numel(), points));
        }
        return curves;
    }

    /// <summary>
    /// Per layer, the smallest tried fraction whose accuracy, that layer pruned alone without retraining, stays
    /// within <paramref name="maxLossPoints"/> percentage points of the unpruned model's (the curves' point at 1), scanning
    /// down from 1 and stopping at the first level that loses more: Han et al.'s use of the curves, a layer that
    /// tolerates pruning being pruned harder. Retraining recovers part of the loss, so the tolerance is a knob.
    /// </summary>
    public static PruningRule.PerLayer SuggestKeep(IReadOnlyList<Curve> curves, double maxLossPoints)
    {
        if (!(maxLossPoints >= 0)) throw new ArgumentException($"loss: {maxLossPoints} is not a number of points ≥ 0");
        var keep = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var curve in curves)
        {
            var points = curve.Points.OrderByDescending(p => p.Kept).ToList();
            if (points.Count == 0 || points[0].Kept != 1.0)
                throw new ArgumentException($"{curve.Layer}: the levels must include 1 (the unpruned accuracy)");
            double floor = points[0].Accuracy - maxLossPoints / 100;
            double chosen = 1.0;
            foreach (var p in points.Skip(1))
            {
                if (p.Accuracy < floor) break;
                chosen = p.Kept;
            }
            keep[curve.Layer] = chosen;
        }
        return new PruningRule.PerLayer(keep);
    }
}
