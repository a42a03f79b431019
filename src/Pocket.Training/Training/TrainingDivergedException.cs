namespace Pocket.Training.Training;

/// <summary>The loss became NaN or infinite; training stopped.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
