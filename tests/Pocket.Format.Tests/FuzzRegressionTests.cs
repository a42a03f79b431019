namespace Pocket.Format.Tests;

/// <summary>
/// Inputs the fuzzer (tools/fuzz) or the analysis of its allocation bound found, kept so the bugs stay fixed. Every
/// file in fuzz-regressions/ must decode or be refused with a one-line <see cref="PocketFormatException"/> naming the
/// source, within the reader's allocation bound (docs/format.md §6).
/// </summary>
public class FuzzRegressionTests
{
    private const string Source = "regression.pocket";

    /// <summary>The reader's guarantee: 64 bytes per file byte plus a constant (derivation in tools/fuzz/README.md).</summary>
    private static long DecodeBound(int length) => 64L * length + (1 << 20);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fuzz-regressions")).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Regression_file_is_decoded_or_refused_with_one_line_within_the_allocation_bound(string name)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fuzz-regressions", name));
        foreach (bool verifyChecksums in new[] { false, true })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                PocketFile.Decode(bytes, Source, verifyChecksums);
            }
            catch (PocketFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                Assert.StartsWith(Source + ": ", e.Message);
                Assert.Contains(" at offset ", e.Message);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= DecodeBound(bytes.Length), $"{name}: {allocated:N0} bytes allocated, bound {DecodeBound(bytes.Length):N0}");
        }
    }

    /// <summary>
    /// Found by the allocation bound, not by a crash: a Huffman table sized its arrays by the alphabet (2^16 relative-index
    /// symbols for 16-bit indices) although a 21-bit zero-run token can skip them all, so every such stream allocated
    /// ~320 KB from ~8 bytes of table: these 200 one-weight tensors (a 17,724-byte file, also kept as
    /// fuzz-regressions/huffman-tables-over-16-bit-alphabets.pocket) made the old reader allocate 66,159,792 bytes,
    /// 30× the bound; the reader now keeps only the used symbols (627,440 bytes).
    /// </summary>
    [Fact]
    public void Huffman_tables_over_16_bit_alphabets_allocate_in_proportion_to_the_file()
    {
        var tensors = Enumerable.Range(0, 200)
            .Select(i => (PocketTensor)new SparseQuantizedTensor($"t{i}", [1, 70000], [0.5f], [i * 300], [0], IndexBits: 16))
            .ToArray();
        byte[] bytes = PocketFile.Encode(TestModels.WithTensors(tensors), new PocketWriteOptions { StreamCoding = StreamCodingChoice.Huffman });

        PocketFile.Decode(bytes); // warm up: first-call allocations are not the reader's
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = PocketFile.Decode(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(200, model.Tensors.Count);
        Assert.Equal([600], ((SparseQuantizedTensor)model.Tensors["t2"]).Positions);
        Assert.True(allocated <= DecodeBound(bytes.Length), $"{allocated:N0} bytes allocated for a {bytes.Length:N0}-byte file");
    }
}
