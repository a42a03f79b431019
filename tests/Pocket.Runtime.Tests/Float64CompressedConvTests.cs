using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The compressed conv kernels of issue 16 against a direct float64 convolution on the densified weights: the sparse
/// CSR kernel with float values (pixel blocks outer, channels inner, fused ReLU/ReLU6 in its store, an overlapping last
/// vector, output channels that keep nothing; 512-bit where the CPU has it, Vector&lt;float&gt; below 16 pixels or elsewhere) and byte-coded filters decoded per call into the prepacked GEMM's panels.
/// At odd sizes: channels not multiples of the vector width or the 8-row panel, 1×1 spatial, planes narrower than a
/// vector, stride 2 with padding, groups, batch above 1. One and two threads must agree bit for bit.
/// </summary>
public class Float64CompressedConvTests
{
    [Theory]
    [InlineData(37, 7, 7, 29, 1, 1, 1, 0, 1, 0.1, OpKind.Relu6)]     // pointwise at 7×7: 49 = 6 vectors + an overlapping one
    [InlineData(19, 1, 1, 13, 1, 1, 1, 0, 1, 0.15, OpKind.Relu)]     // 1×1 spatial: narrower than a vector, scalar path
    [InlineData(24, 5, 3, 11, 1, 1, 1, 0, 1, 0.1, OpKind.Relu)]      // 15 pixels: one vector + overlap (8-wide), scalar (16-wide)
    [InlineData(21, 1, 17, 9, 1, 1, 1, 0, 1, 0.15, OpKind.Relu6)]    // 17 pixels: one 16-wide vector + an overlapping one
    [InlineData(33, 23, 21, 17, 1, 1, 1, 0, 1, 0.12, OpKind.Relu6)]  // 483 pixels: 8-vector blocks, then a 5-vector tail in one pass (8-wide)
    [InlineData(20, 8, 9, 11, 1, 1, 1, 0, 1, 0.15, OpKind.Relu)]     // 72 pixels: one 8-vector block + a 1-vector tail (8-wide), 5 vectors (16-wide)
    [InlineData(26, 3, 4, 7, 1, 1, 1, 0, 1, 0.15, OpKind.Relu6)]     // 12 pixels: a 2-vector tail padded to 4 (8-wide)
    [InlineData(64, 14, 14, 70, 1, 1, 1, 0, 1, 0.05, OpKind.Relu)]   // very sparse, many channels keep nothing
    [InlineData(30, 9, 9, 42, 1, 1, 1, 0, 3, 0.15, OpKind.Relu6)]    // grouped pointwise
    [InlineData(5, 17, 19, 9, 3, 3, 2, 1, 1, 0.12, OpKind.Relu)]     // im2col stride 2 with padding, odd everything
    [InlineData(6, 12, 13, 10, 3, 3, 1, 1, 1, 0.12, OpKind.Relu6)]   // direct stride-1 path, padded
    public void SparseConvMatchesFloat64(int inC, int h, int w, int outC, int kH, int kW, int stride, int pad, int groups,
        double density, OpKind activation)
    {
        var b = new ModelBuilder(inC * 13 + h + outC * 3 + groups);
        int perGroup = inC / groups, k = perGroup * kH * kW;
        SparseQuantizedTensor sparse = b.SparseWeight("conv.weight", outC, k, density, bits: 5);
        // Every fifth output channel keeps nothing: its output is bias (and activation) alone.
        var keep = Enumerable.Range(0, sparse.Positions.Length).Where(i => sparse.Positions[i] / k % 5 != 2).ToArray();
        var weight = sparse with
        {
            Shape = [outC, perGroup, kH, kW],
            Positions = keep.Select(i => sparse.Positions[i]).ToArray(),
            Codes = keep.Select(i => sparse.Codes[i]).ToArray(),
        };
        float[] actual = RunAndCheck(b, weight, inC, h, w, outC, kH, kW, stride, pad, groups, activation, "conv-sparse-csr");
        Assert.Contains(actual, v => v == 0f);
    }

    [Theory]
    [InlineData(37, 7, 7, 29, 1, 1, 1, 0, 1, OpKind.Relu6)]    // pointwise, 29 rows = 3 panels + 5 padded rows
    [InlineData(19, 1, 1, 13, 1, 1, 1, 0, 1, OpKind.Relu)]     // 1×1 spatial
    [InlineData(3, 29, 31, 17, 3, 3, 2, 1, 1, OpKind.Relu6)]   // the stem: stride 2, padding, blocked unfold
    [InlineData(300, 5, 5, 9, 1, 1, 1, 0, 1, OpKind.Relu)]     // K over a K-block
    [InlineData(12, 9, 9, 18, 3, 3, 1, 1, 3, OpKind.Relu)]     // grouped: panels per group
    public void CodePanelConvMatchesFloat64(int inC, int h, int w, int outC, int kH, int kW, int stride, int pad, int groups, OpKind activation)
    {
        var b = new ModelBuilder(inC * 7 + h + outC + groups);
        int perGroup = inC / groups;
        float[] codebook = b.RandomValues(200, 0.5f);
        ushort[] codes = Enumerable.Range(0, outC * perGroup * kH * kW).Select(_ => (ushort)b.Random.Next(codebook.Length)).ToArray();
        var weight = new QuantizedDenseTensor("conv.weight", [outC, perGroup, kH, kW], codebook, codes);
        RunAndCheck(b, weight, inC, h, w, outC, kH, kW, stride, pad, groups, activation, "codes(200 centroids)");
    }

    private static float[] RunAndCheck(ModelBuilder b, PocketTensor weight, int inC, int h, int w, int outC, int kH, int kW,
        int stride, int pad, int groups, OpKind activation, string kernel)
    {
        int x = b.Input(inC, h, w);
        int conv = b.Conv(x, "conv", inC, outC, kH, kW, stride, stride, pad, pad, groups, weight: weight);
        b.Op("act", activation, conv);
        PocketModel model = b.Build();
        const int batch = 3;
        var one = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        Assert.Single(one.DescribeLayers());
        Assert.Contains(kernel, one.DescribeLayers()[0]);
        Assert.Contains(activation == OpKind.Relu ? "+relu" : "+relu6", one.DescribeLayers()[0]);
        float[] input = Assertions.RandomInput(11, batch * one.InputLength);
        for (int i = 0; i < input.Length; i++) input[i] = 6f * (input[i] - 0.5f); // both sides of 0 and past 6
        var actual = new float[batch * one.OutputLength];
        one.Predict(input, batch, actual);

        float[] expected = Float64Reference.Conv(input, batch, inC, h, w, outC, kH, kW, stride, pad, groups, weight.ToDense(),
            ((DenseTensor)b.Tensors["conv.bias"]).Values);
        for (int i = 0; i < expected.Length; i++)
            expected[i] = activation == OpKind.Relu ? Math.Max(expected[i], 0f) : Math.Clamp(expected[i], 0f, 6f);
        Assertions.Close(expected, actual, 1e-5);

        var two = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 2 });
        var again = new float[actual.Length];
        two.Predict(input, batch, again);
        Assert.Equal(actual, again);
        return actual;
    }
}
