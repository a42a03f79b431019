namespace Pocket.Training.Data;

/// <summary>An IDX file that cannot be read; the message is one line naming the file and what is wrong.</summary>
public sealed class IdxFormatException(string message) : Exception(message);
