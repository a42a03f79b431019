namespace Pocket.Format;

/// <summary>Fixed numbers of the .pocket container (docs/format.md §2).</summary>
public static class PocketFileLayout
{
    /// <summary>"\x89POCKET\n": the high byte catches 7-bit transfers, the newline catches text-mode conversions (as in PNG).</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'P', (byte)'O', (byte)'C', (byte)'K', (byte)'E', (byte)'T', 0x0A];

    public const ushort MajorVersion = 1;
    /// <summary>The newest minor version this library reads and writes (docs/format.md §7).</summary>
    public const ushort MinorVersion = 1;

    /// <summary>The minor version that introduced a stream coding: a writer sets the lowest minor its file needs.</summary>
    internal static ushort MinorVersionOf(StreamCoding coding) => coding == StreamCoding.AdaptiveBinary ? (ushort)1 : (ushort)0;
    public const int HeaderSize = 32;
    public const int SectionEntrySize = 24;
    public const int TrailerSize = 4;
    public const int SectionAlignment = 8;

    public const byte MetadataSection = 1;
    public const byte GraphSection = 2;
    public const byte TensorSection = 3;

    internal static long Align(long offset) => (offset + SectionAlignment - 1) & ~(long)(SectionAlignment - 1);
}
