using System.Buffers.Binary;
using System.IO.Compression;
using Pocket.Fuzz;
using Pocket.Training.Data;

namespace Pocket.Training.Tests.Data;

/// <summary>
/// The IDX fuzz target's own check (tools/fuzz/IdxInputCheck.cs) over the seed corpus (tools/fuzz/corpus/idx) and every
/// regression file (Data/fuzz-regressions: the gzip inputs the bounds review found, kept as files), and the gzip path of
/// <see cref="IdxFile.Decode"/> that the fuzzer reaches from bytes.
/// </summary>
public class IdxFuzzTests
{
    private static readonly string InputFolder = Path.Combine(AppContext.BaseDirectory, "idx-fuzz-inputs");

    public static TheoryData<string> Inputs() => new(FuzzInputs.Under(InputFolder));

    [Theory]
    [InlineData("corpus")]
    [InlineData("regressions")]
    public void The_replay_finds_its_files(string folder)
    {
        // A glob that matches nothing would make the replay above check nothing, silently.
        Assert.Contains(FuzzInputs.Under(InputFolder), p => p.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_passes_the_fuzz_targets_check(string relativePath)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "idx-fuzz-inputs", relativePath));
        int parsed = IdxInputCheck.Run(bytes); // throws FuzzFailure on any misbehaviour
        if (relativePath.StartsWith("corpus", StringComparison.Ordinal)) Assert.Equal(1, parsed); // every seed is a valid file of rank 1 or 3
    }

    private static byte[] Idx(int[] dims, int dataBytes)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        for (int i = 0; i < dataBytes; i++) bytes[4 + 4 * dims.Length + i] = (byte)(i * 7);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var z = new GZipStream(output, CompressionLevel.SmallestSize)) z.Write(bytes);
        return output.ToArray();
    }

    [Fact]
    public void Decode_reads_gzip_and_raw_bytes_alike()
    {
        byte[] raw = Idx([2, 3, 4], 24);
        var fromRaw = IdxFile.Decode(raw, "x.idx", 3);
        var fromGzip = IdxFile.Decode(Gzip(raw), "x.idx.gz", 3);
        Assert.Equal([2, 3, 4], fromGzip.Dimensions);
        Assert.Equal(fromRaw.Data, fromGzip.Data);
        Assert.Equal(raw[16..], fromGzip.Data);
    }

    [Fact]
    public void A_gzip_bomb_behind_a_small_header_stops_at_the_declared_size()
    {
        // 64 MB of zeros compress to ~64 KB; the header says 28×28. The old reader inflated everything first
        // (a MemoryStream growing to 64 MB) and only then found the trailing bytes.
        byte[] raw = Idx([1, 28, 28], 64 << 20);
        byte[] bomb = Gzip(raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Decode(bomb, "bomb.gz", 3));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("bomb.gz: trailing bytes after the 784 bytes of data the header declares (decompressed)", e.Message);
        Assert.True(allocated < 2 * bomb.Length + (1 << 20), $"{allocated:N0} bytes allocated for a {bomb.Length:N0}-byte input");
    }

    [Fact]
    public void A_gzip_header_that_declares_more_than_the_limit_is_refused_before_inflating_the_data()
    {
        byte[] raw = Idx([1, 28, 28], 784);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), 1_000_000); // 784 MB declared
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Decode(Gzip(raw), "big.gz", 3));
        Assert.Contains("more than the 536870912-byte limit", e.Message);
    }

    [Fact]
    public void A_truncated_gzip_stream_is_refused_or_yields_the_complete_data()
    {
        byte[] raw = Idx([3, 28, 28], 3 * 784);
        byte[] gz = Gzip(raw);
        int accepted = 0;
        for (int cut = 1; cut < gz.Length; cut++)
        {
            try
            {
                // .NET's GZipStream ends without error when only the tail is cut off (the 8-byte CRC-32/size trailer
                // and the end-of-block code after the last data byte): the IDX checks then see complete data.
                var content = IdxFile.Decode(gz.AsSpan(0, cut), "cut.gz", 3);
                Assert.Equal(raw[16..], content.Data);
                accepted++;
            }
            catch (IdxFormatException e)
            {
                Assert.StartsWith("cut.gz: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        }
        Assert.InRange(accepted, 0, 16);
    }
}
