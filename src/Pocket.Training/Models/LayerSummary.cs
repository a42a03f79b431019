using Pocket.Format;

namespace Pocket.Training.Models;

/// <summary>
/// One graph node as <see cref="ModelSummary"/> reports it.
/// <see cref="Parameters"/>: every learnable value the node holds (weights, biases, BN γ and β; not BN's running
/// statistics). <see cref="Weights"/>: conv and fc weights only, the papers' "parameters" for MobileNet.
/// <see cref="MultAdds"/>: multiply-accumulates of conv and fc layers only; other ops count 0.
/// </summary>
public sealed record LayerSummary(string Name, OpKind Op, int[] OutputShape, long Parameters, long Weights, long MultAdds)
{
    /// <summary>"C×H×W".</summary>
    public string Shape => string.Join("×", OutputShape);
}
