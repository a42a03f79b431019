namespace Pocket.Format.Arithmetic;

/// <summary>Which earlier symbol selects the set of binary contexts a symbol is coded with (docs/format.md §5.5).</summary>
public enum ContextModel : byte
{
    /// <summary>One set of contexts for the whole stream (order 0).</summary>
    None = 0,

    /// <summary>One set per value of the previous symbol (order 1; the first symbol uses set 0).</summary>
    PreviousSymbol = 1,
}
