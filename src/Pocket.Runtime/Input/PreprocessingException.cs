namespace Pocket.Runtime.Input;

/// <summary>A preprocessing value that cannot be used; the message is one line naming the key or option and the value.</summary>
public sealed class PreprocessingException(string message) : Exception(message);
