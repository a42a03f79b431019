using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// Convolutions feeding a concat write straight into its slices (<see cref="PocketNetworkOptions.WriteConcatsInPlace"/>):
/// the outputs must equal those of the copying concat bit for bit, at any batch and thread count, and the rewrite must
/// not happen where a concat input is read by another layer too, or is not a convolution.
/// </summary>
public class ConcatInPlaceTests
{
    public enum Case { Fire, FireWithBypass, InputAlsoReadElsewhere, PoolInput, ConcatIsTheOutput, PrunedFire }

    private static PocketModel Build(Case shape)
    {
        var b = new ModelBuilder(40 + (int)shape);
        int x = b.Input(16, 27, 27);
        int squeeze = b.Op("sq.relu", OpKind.Relu, b.Conv(x, "sq", 16, 8, 1, 1));
        bool pruned = shape == Case.PrunedFire; // sparse convs (SparseConv2dOp), as a compressed SqueezeNet has
        int e1 = b.Op("e1.relu", OpKind.Relu, b.Conv(squeeze, "e1", 8, 16, 1, 1,
            weight: pruned ? CompressedConvTests.SparseConvWeight(b, "e1.weight", 16, 8, 1, 1, 0.1, 5) : null));
        int e3 = b.Op("e3.relu", OpKind.Relu, b.Conv(squeeze, "e3", 8, 24, 3, 3, 1, 1, 1, 1, // 27 wide: the stream conv on AVX-512
            weight: pruned ? CompressedConvTests.SparseConvWeight(b, "e3.weight", 24, 8, 3, 3, 0.1, 5) : null));
        int cat = shape switch
        {
            Case.PoolInput => b.Op("cat", OpKind.Concat, e1, b.Pool(e3, "pool", OpKind.MaxPool2d, 3, 3, 1, 1, 1, 1, false)),
            _ => b.Op("cat", OpKind.Concat, e1, e3),
        };
        if (shape == Case.ConcatIsTheOutput) return b.Build();
        int next = shape switch
        {
            Case.FireWithBypass => b.Op("bypass", OpKind.Add, cat, b.Conv(x, "widen", 16, 40, 1, 1)),
            Case.InputAlsoReadElsewhere => b.Op("mix", OpKind.Add, cat, b.Op("cat2", OpKind.Concat, e1, e1, b.Conv(x, "pad", 16, 8, 1, 1))),
            _ => cat,
        };
        int cls = b.Op("cls.relu", OpKind.Relu, b.Conv(next, "cls", 40, 10, 1, 1));
        b.Op("flatten", OpKind.Flatten, b.Op("gap", OpKind.GlobalAvgPool, cls));
        return b.Build();
    }

    [Theory]
    [InlineData(Case.Fire, true)]
    [InlineData(Case.FireWithBypass, true)]
    [InlineData(Case.InputAlsoReadElsewhere, false)]
    [InlineData(Case.PoolInput, false)]
    [InlineData(Case.ConcatIsTheOutput, true)]
    [InlineData(Case.PrunedFire, true)]
    public void In_place_concat_equals_the_copying_one(Case shape, bool rewritten)
    {
        PocketModel model = Build(shape);
        var copying = PocketNetwork.Load(model, new PocketNetworkOptions { WriteConcatsInPlace = false });
        Assert.Contains(copying.DescribeLayers(), l => l.StartsWith("cat:", StringComparison.Ordinal));
        const int batch = 11; // a full tile of 8 and a partial one
        float[] input = Assertions.RandomInput(3, batch * copying.InputLength);
        var expected = new float[batch * copying.OutputLength];
        copying.Predict(input, batch, expected);
        foreach (int threads in new[] { 1, 2 })
        {
            var inPlace = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(!rewritten, inPlace.DescribeLayers().Any(l => l.StartsWith("cat:", StringComparison.Ordinal)));
            if (shape == Case.PrunedFire)
                Assert.Equal(2, inPlace.DescribeLayers().Count(l => l.Contains("conv-sparse-csr", StringComparison.Ordinal)));
            var actual = new float[expected.Length];
            inPlace.Predict(input, batch, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(expected.AsSpan(0, copying.OutputLength).ToArray(), inPlace.Predict(input.AsSpan(0, copying.InputLength)));
        }
    }
}
