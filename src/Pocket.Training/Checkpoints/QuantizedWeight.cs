namespace Pocket.Training.Checkpoints;

/// <summary>
/// A weight after trained quantization: its codebook (the shared values, zero excluded) and, per element, the
/// index of its shared value. Where the pruning mask is 0 the code is meaningless and stored as 0.
/// </summary>
public sealed record QuantizedWeight(float[] Codebook, ushort[] Codes);
