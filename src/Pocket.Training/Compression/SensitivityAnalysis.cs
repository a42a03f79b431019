using Pocket.Training.Checkpoints;
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
        foreach (var (name, weight) in model.CompressibleWeights())
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
}
