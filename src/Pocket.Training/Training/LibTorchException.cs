namespace Pocket.Training.Training;

/// <summary>libtorch cannot compute right on this machine (one line).</summary>
public sealed class LibTorchException(string message) : Exception(message);
