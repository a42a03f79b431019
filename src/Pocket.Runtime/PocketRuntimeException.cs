namespace Pocket.Runtime;

/// <summary>
/// A model the runtime cannot run (bad attributes, shape mismatch, missing tensor) or a call with wrongly sized
/// buffers. Load-time messages are one line and name the offending graph node, so a phone app can log them as is.
/// </summary>
public sealed class PocketRuntimeException : Exception
{
    public PocketRuntimeException(string message) : base(OneLine(message)) { }

    public PocketRuntimeException(string message, Exception inner) : base(OneLine(message), inner) { }

    internal static PocketRuntimeException ForNode(int index, string name, string problem) =>
        new($"node {index} '{name}': {problem}");

    /// <summary>Node and tensor names come from the file and may hold control characters (a fuzzed file had a newline
    /// in a node name): they are replaced with '?' so the message stays one line.</summary>
    private static string OneLine(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\x1f') && !text.Contains('\x7f')) return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (chars[i] < ' ' || chars[i] == '\x7f') chars[i] = '?';
        return new string(chars);
    }
}
