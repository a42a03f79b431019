namespace Pocket.Format;

/// <summary>
/// A .pocket file is malformed. The message is one line naming the source, the part of the file, the field
/// and the absolute byte offset, e.g.
/// <c>model.pocket: tensor 'fc1.weight' section: relative-index stream length 123456 exceeds section end at offset 4242</c>.
/// Readers throw only this type for bad input: never IndexOutOfRange, Overflow or OutOfMemory.
/// </summary>
public sealed class PocketFormatException : Exception
{
    public PocketFormatException(string sourceName, string section, string field, long offset, string problem)
        : base(FormatMessage(sourceName, section, field, offset, problem))
    {
        SourceName = sourceName;
        Section = section;
        Field = field;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file name (or "&lt;memory&gt;") the bytes came from.</summary>
    public string SourceName { get; }

    /// <summary>The part of the file, e.g. "header", "section table", "graph section", "tensor 'fc1.weight' section".</summary>
    public string Section { get; }

    /// <summary>The field that is wrong, e.g. "magic", "relative-index stream length".</summary>
    public string Field { get; }

    /// <summary>Absolute byte offset in the file where the field (or the failing stream) starts.</summary>
    public long Offset { get; }

    /// <summary>What is wrong with the field.</summary>
    public string Problem { get; }

    private static string FormatMessage(string source, string section, string field, long offset, string problem) =>
        OneLine($"{source}: {section}: {field} {problem} at offset {offset}");

    /// <summary>Names come from the file and may hold control characters; the message must stay one line.</summary>
    internal static string OneLine(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\x1f') && !text.Contains('\x7f')) return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (chars[i] < ' ' || chars[i] == '\x7f') chars[i] = '?';
        return new string(chars);
    }

    /// <summary>Quotes a name for a message, shortened so a 64 KiB name cannot flood a log line.</summary>
    internal static string Quote(string name) => "'" + (name.Length > 80 ? name[..77] + "..." : name) + "'";
}
