using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class LinearTests
{
    private static PocketModel SingleLinear(int seed, int inF, int outF, Func<ModelBuilder, PocketTensor?> weight, bool relu = false)
    {
        var b = new ModelBuilder(seed);
        int x = b.Input(inF, 1, 1);
        int fc = b.Linear(x, "fc", inF, outF, weight: weight(b));
        if (relu) b.Op("relu", OpKind.Relu, fc);
        return b.Build();
    }

    [Theory]
    [InlineData(37, 11, 5)]
    [InlineData(800, 500, 3)]
    [InlineData(3, 1, 9)]
    public void DenseLinearMatchesTorch(int inF, int outF, int batch)
    {
        Assertions.MatchesTorch(SingleLinear(inF, inF, outF, _ => null, relu: true), batch);
    }

    [Fact]
    public void LinearAcceptsAFeatureMapInput()
    {
        var b = new ModelBuilder(3);
        int x = b.Input(3, 4, 5);
        b.Linear(x, "fc", 60, 7);
        Assertions.MatchesTorch(b.Build(), batch: 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(11)] // a full tile of 8 and a partial tile of 3
    public void SparseLinearMatchesTorchAndDense(int batch)
    {
        PocketModel sparse = SingleLinear(4, 784, 300, b => b.SparseWeight("fc.weight", 300, 784, 0.08, 5));
        PocketNetwork sparseNet = Assertions.MatchesTorch(sparse, batch);
        Assert.Contains("linear-sparse-csr", sparseNet.DescribeLayers()[0]);

        var denseTensors = new Dictionary<string, PocketTensor>(sparse.Tensors)
        {
            ["fc.weight"] = new DenseTensor("fc.weight", [300, 784], sparse.Tensors["fc.weight"].ToDense()),
        };
        PocketNetwork denseNet = PocketNetwork.Load(sparse with { Tensors = denseTensors });
        float[] input = Assertions.RandomInput(9, batch * 784);
        float[] a = new float[batch * 300], d = new float[batch * 300];
        sparseNet.Predict(input, batch, a);
        denseNet.Predict(input, batch, d);
        Assertions.Close(d, a);
    }

    [Fact]
    public void SparseLinearHoldsUnderATenthOfDenseMemory()
    {
        PocketModel sparse = SingleLinear(5, 784, 300, b => b.SparseWeight("fc.weight", 300, 784, 0.08, 5));
        PocketNetwork net = PocketNetwork.Load(sparse);
        long denseFloatBytes = 4L * (784 * 300 + 300);
        Assert.True(net.WeightBytes * 10 <= denseFloatBytes, $"{net.WeightBytes} vs dense {denseFloatBytes}");
    }

    [Fact]
    public void DenselyPopulatedSparseTensorUsesQuantizedDenseCodes()
    {
        PocketModel model = SingleLinear(6, 100, 40, b => b.SparseWeight("fc.weight", 40, 100, 0.7, 4), relu: true);
        PocketNetwork net = Assertions.MatchesTorch(model, batch: 6);
        Assert.Contains("linear-quantized", net.DescribeLayers()[0]);
        Assert.True(net.WeightBytes < 100 * 40 * 4 / 3);
    }

    [Fact]
    public void QuantizedDenseLinearMatchesTorch()
    {
        PocketModel model = SingleLinear(7, 130, 21, b =>
        {
            float[] codebook = b.RandomValues(256, 0.2f);
            ushort[] codes = Enumerable.Range(0, 130 * 21).Select(_ => (ushort)b.Random.Next(256)).ToArray();
            return new QuantizedDenseTensor("fc.weight", [21, 130], codebook, codes);
        });
        PocketNetwork net = Assertions.MatchesTorch(model, batch: 5);
        Assert.Equal(130 * 21 + 4 * (256 + 21), net.WeightBytes);
    }
}
