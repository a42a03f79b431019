using CsCheck;
using Pocket.Format.Sparse;

namespace Pocket.Format.Tests;

public class RelativeIndexTests
{
    /// <summary>
    /// Han et al. 2015, Figure 2: 3-bit relative indices; the figure numbers positions from 1 and shows
    /// non-zeros 3.4 at idx 1, 0.9 at idx 4 and 1.7 at idx 15. The step from 4 to 15 exceeds 8 (the most
    /// 3 bits hold), so a filler zero goes in at idx 12: rows idx 1,4,12,15 / diff 1,3,8,3 / value 3.4,0.9,0,1.7.
    /// The file stores diff − 1 (0..7) in the 3 bits, with the first diff counted from the position before the first.
    /// </summary>
    [Fact]
    public void Figure_2_of_the_paper_with_a_filler_zero()
    {
        float[] codebook = [3.4f, 0.9f, 1.7f];
        int[] positions = [0, 3, 14];          // zero-based: the figure's idx 1, 4, 15
        ushort[] codes = [0, 1, 2];

        var (relative, symbols) = RelativeIndexCodec.Encode(positions, codes, indexBits: 3);

        int[] diff = relative.Select(r => r + 1).ToArray();
        float[] value = symbols.Select(s => s == RelativeIndexCodec.FillerSymbol ? 0f : codebook[s - 1]).ToArray();
        int[] idx = new int[diff.Length];
        for (int i = 0, p = 0; i < diff.Length; i++) idx[i] = p += diff[i]; // one-based like the figure
        Assert.Equal([1, 4, 12, 15], idx);
        Assert.Equal([1, 3, 8, 3], diff);
        Assert.Equal([3.4f, 0.9f, 0f, 1.7f], value);
        Assert.Equal([0, 2, 7, 2], relative);       // what the 3-bit field holds
        Assert.Equal([1, 2, 0, 3], symbols);         // 0 = filler, c + 1 = codebook index c

        var decoded = RelativeIndexCodec.Decode(relative, symbols, 3, 16, 3, out string problem, out _);
        Assert.True(decoded.HasValue, problem);
        Assert.Equal(positions, decoded.Value.Positions);
        Assert.Equal(codes, decoded.Value.Codes);
    }

    [Fact]
    public void A_step_of_exactly_two_to_the_b_needs_no_filler()
    {
        var (relative, symbols) = RelativeIndexCodec.Encode([7, 15], [0, 0], indexBits: 3);
        Assert.Equal([7, 7], relative);
        Assert.DoesNotContain(0, symbols);
    }

    [Fact]
    public void Long_gaps_insert_one_filler_per_two_to_the_b()
    {
        var (relative, symbols) = RelativeIndexCodec.Encode([100], [5], indexBits: 2); // steps of at most 4
        // 25 fillers at 3, 7, …, 99 (each step of 4 = 2^b), then the non-zero at 100 one step later.
        Assert.Equal(26, relative.Length);
        Assert.Equal(25, symbols.Count(s => s == 0));
        Assert.Equal(0, relative[^1]);
        Assert.Equal(RelativeIndexCodec.CountEntries([100], 2), relative.Length);
    }

    [Fact]
    public void Positions_round_trip_for_every_index_width()
    {
        var gen = Gen.Select(Gen.Int[1, 16], Gen.Int[0, 3000], Gen.Int[0, 4], Gen.Int);
        gen.Sample((bits, n, mode, seed) =>
        {
            var rng = new Random(seed);
            double density = mode switch { 0 => 0, 1 => 0.001, 2 => 0.05, 3 => 0.5, _ => 1 };
            var positions = Enumerable.Range(0, n).Where(_ => rng.NextDouble() < density).ToArray();
            var codes = positions.Select(_ => (ushort)rng.Next(65536)).ToArray();
            var (relative, symbols) = RelativeIndexCodec.Encode(positions, codes, bits);
            Assert.All(relative, r => Assert.InRange(r, 0, (1 << bits) - 1));
            var decoded = RelativeIndexCodec.Decode(relative, symbols, bits, n, positions.Length, out string problem, out _);
            Assert.True(decoded.HasValue, problem);
            Assert.Equal(positions, decoded.Value.Positions);
            Assert.Equal(codes, decoded.Value.Codes);
        }, iter: 300);
    }

    [Fact]
    public void Inconsistent_streams_are_rejected()
    {
        Assert.Null(RelativeIndexCodec.Decode([3, 1], [0, 1], 3, 100, 1, out _, out long e1)); // filler with r != 7
        Assert.Equal(0, e1);
        Assert.Null(RelativeIndexCodec.Decode([1, 7], [1, 0], 3, 100, 1, out _, out _));       // trailing filler
        Assert.Null(RelativeIndexCodec.Decode([5], [1], 3, 5, 1, out _, out _));               // position 5 of 5
        Assert.Null(RelativeIndexCodec.Decode([0, 0], [1, 1], 3, 5, 1, out _, out _));         // more non-zeros than declared
        Assert.Null(RelativeIndexCodec.Decode([0], [1], 3, 5, 2, out _, out _));               // fewer
    }
}
