namespace Pocket.Runtime;

/// <summary>
/// A model the runtime cannot run (bad attributes, shape mismatch, missing tensor) or a call with wrongly sized
/// buffers. Load-time messages are one line and name the offending graph node, so a phone app can log them as is.
/// </summary>
public sealed class PocketRuntimeException : Exception
{
    public PocketRuntimeException(string message) : base(message) { }

    public PocketRuntimeException(string message, Exception inner) : base(message, inner) { }

    internal static PocketRuntimeException ForNode(int index, string name, string problem) =>
        new($"node {index} '{name}': {problem}");
}
