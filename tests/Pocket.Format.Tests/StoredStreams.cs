using Pocket.Format.IO;
using Pocket.Format.Streams;

namespace Pocket.Format.Tests;

/// <summary>A symbol stream written as the writer stores it and read back as the reader does, for the coding tests.</summary>
internal static class StoredStreams
{
    public static byte[] WriteStream(int[] symbols, int alphabet, StreamCodingChoice choice)
    {
        var w = new ByteWriter();
        SymbolStream.Write(w, symbols, alphabet, choice);
        return w.ToArray();
    }

    /// <summary>Reads a stream and asserts it used every byte.</summary>
    public static int[] ReadStream(byte[] bytes, int count, int alphabet, out StoredStream stored)
    {
        var reader = new SectionReader(bytes, 0, bytes.Length, new ErrorContext("test"));
        var symbols = SymbolStream.Read(ref reader, count, alphabet, "test stream", out stored);
        Assert.Equal(0, reader.Remaining);
        return symbols;
    }
}
