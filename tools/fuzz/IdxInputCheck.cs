using Pocket.Training.Data;

namespace Pocket.Fuzz;

/// <summary>
/// The oracle of the <c>idx</c> target. <see cref="IdxFile.Decode"/> (raw or gzip, recognised by its magic) is called
/// with both ranks the datasets use (1 for labels, 3 for images); each call returns content whose size matches its
/// dimensions or throws <see cref="IdxFormatException"/> with a one-line message naming the source, and allocates at
/// most <see cref="Bound"/>. Shared, as source, with tests/Pocket.Training.Tests (IdxFuzzRegressionTests).
/// </summary>
public static class IdxInputCheck
{
    public const string SourceName = "fuzz.idx";

    /// <summary>
    /// Raw: the data is copied once (≤ n bytes) → 2·n + 1 MiB covers it. Gzip: DEFLATE expands at most 1032:1 (a 258-byte
    /// match costs ≥ 2 bits), so D ≤ 1032·n bytes come out; the data buffer doubles only when full, so the buffers
    /// allocated add up to ≤ 4·D; plus the copy of the n compressed bytes → (4·1032 + 1)·n + 1 MiB. The constant covers
    /// the first 64 KiB buffer and one-off allocations.
    /// </summary>
    public static long Bound(ReadOnlySpan<byte> data) =>
        (IsGzip(data) ? 4L * 1032 + 1 : 2L) * data.Length + (1 << 20);

    private static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    /// <summary>How many of the two ranks parsed.</summary>
    public static int Run(ReadOnlySpan<byte> data)
    {
        byte[] bytes = data.ToArray();
        long bound = Bound(data);
        int parsed = 0;
        foreach (int rank in (ReadOnlySpan<int>)[1, 3])
        {
            IdxFile.Content? content = null;
            long allocated = AllocationMeter.Measure(() => content = IdxFile.Decode(bytes, SourceName, rank), out var thrown);
            AllocationMeter.Check($"IdxFile.Decode (rank {rank})", allocated, bound, bytes.Length);
            if (thrown is IdxFormatException e)
            {
                if (e.Message.Contains('\n') || e.Message.Contains('\r')) throw new FuzzFailure($"IdxFormatException message is not one line: {e.Message}", e);
                if (!e.Message.StartsWith(SourceName + ": ", StringComparison.Ordinal)) throw new FuzzFailure($"IdxFormatException message does not start with the source name: {e.Message}", e);
                continue;
            }
            if (thrown is not null) throw new FuzzFailure($"IdxFile.Decode (rank {rank}) threw {thrown.GetType().Name}: {thrown.Message}", thrown);
            long expected = 1;
            foreach (int d in content!.Dimensions) expected *= d;
            if (content.Dimensions.Length != rank || content.Data.Length != expected)
                throw new FuzzFailure($"IdxFile.Decode returned {content.Data.Length} bytes for dimensions [{string.Join(",", content.Dimensions)}] (rank {rank})");
            parsed++;
        }
        return parsed;
    }
}
