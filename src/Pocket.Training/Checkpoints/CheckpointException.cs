namespace Pocket.Training.Checkpoints;

/// <summary>A checkpoint that cannot be read or does not fit its model; the message is one line.</summary>
public sealed class CheckpointException(string message) : Exception(message);
