namespace Pocket.Runtime;

/// <summary>One executed layer's median time in <see cref="PocketNetwork.TimeLayers"/>: its graph node name(s), the
/// kernel chosen at load, its output shape and milliseconds per call.</summary>
public sealed record LayerTime(string Name, string Kernel, TensorShape OutputShape, double Milliseconds);
