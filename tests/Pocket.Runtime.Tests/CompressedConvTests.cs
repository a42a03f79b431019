using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// Quantized and pruned conv filters run compressed: as 1-byte codes decoded per panel (Conv2dOp, depthwise) or as
/// CSR skipping pruned weights (SparseConv2dOp). Checked against TorchSharp (float64) on the densified weights, bit-for-bit
/// against the float kernels on the same weights, and for the resident bytes they claim.
/// </summary>
public class CompressedConvTests
{
    [Theory]
    [InlineData(4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1, 0.12)]    // plain 3x3 same-padding, LeNet conv2 sparsity
    [InlineData(20, 12, 12, 50, 5, 5, 1, 1, 0, 0, 1, 0.12)] // LeNet-5 conv2 shape: 8x8 output = one 8-vector block
    [InlineData(1, 28, 28, 20, 5, 5, 1, 1, 0, 0, 1, 0.12)]   // LeNet conv1 shape: 576 pixels, 8/4/1-vector blocks
    [InlineData(4, 10, 11, 6, 3, 5, 2, 1, 1, 2, 1, 0.12)]    // rectangular kernel, mixed stride/padding, scalar tail
    [InlineData(6, 9, 9, 9, 3, 3, 2, 2, 0, 1, 3, 0.12)]     // grouped
    [InlineData(16, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1, 0.1)]    // pointwise (no im2col)
    [InlineData(32, 5, 5, 32, 1, 1, 1, 1, 0, 0, 2, 0.12)]    // grouped pointwise
    [InlineData(5, 9, 8, 7, 3, 3, 3, 3, 0, 0, 1, 0.02)]     // stride 3, rows that keep nothing
    [InlineData(3, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 0.12)]      // stride 1 but rows narrower than a vector: im2col path
    [InlineData(2, 7, 10, 6, 3, 3, 1, 1, 0, 0, 1, 0.12)]     // direct path, 5 output vectors: 4-block + 1-block
    [InlineData(8, 9, 9, 12, 3, 3, 1, 1, 1, 1, 2, 0.12)]     // direct path, grouped and padded, overlapping row tail
    // Densities ≤ 0.12: the float CSR (6 bytes per kept weight) is only chosen where it costs no more than 1 byte per weight.
    public void SparseConvMatchesTorch(int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW, int groups, double density)
    {
        var b = new ModelBuilder(inC * 100 + outC + groups);
        int x = b.Input(inC, h, w);
        SparseQuantizedTensor weight = SparseConvWeight(b, "conv.weight", outC, inC / groups, kH, kW, density, bits: 5);
        b.Conv(x, "conv", inC, outC, kH, kW, sH, sW, pH, pW, groups, weight: weight);
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 3);
        Assert.Contains("conv-sparse-csr", net.DescribeLayers()[0]);
    }

    [Theory]
    [InlineData(4, 9, 9, 6, 3, 3, 1, 1, 1, 1, 1)]       // plain
    [InlineData(6, 9, 9, 9, 3, 3, 2, 2, 0, 1, 3)]       // grouped, strided
    [InlineData(16, 12, 12, 32, 3, 3, 1, 1, 1, 1, 1)]   // several 4-row GEMM blocks
    [InlineData(16, 7, 7, 24, 1, 1, 1, 1, 0, 0, 1)]     // pointwise
    [InlineData(256, 6, 6, 40, 3, 3, 1, 1, 1, 1, 1)]    // K = 2304: decoded in panels of 16, 16 and 8 rows
    [InlineData(8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 8)]       // depthwise
    [InlineData(8, 10, 7, 8, 3, 3, 2, 2, 1, 1, 8)]      // depthwise stride 2 (direct path)
    [InlineData(4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 4)]       // depthwise with channel multiplier 2
    public void QuantizedConvMatchesTorch(int inC, int h, int w, int outC, int kH, int kW, int sH, int sW, int pH, int pW, int groups)
    {
        var b = new ModelBuilder(inC * 100 + outC + groups + 1);
        int x = b.Input(inC, h, w);
        int perGroup = inC / groups;
        float[] codebook = b.RandomValues(32, 0.4f);
        ushort[] codes = Enumerable.Range(0, outC * perGroup * kH * kW).Select(_ => (ushort)b.Random.Next(codebook.Length)).ToArray();
        b.Conv(x, "conv", inC, outC, kH, kW, sH, sW, pH, pW, groups,
            weight: new QuantizedDenseTensor("conv.weight", [outC, perGroup, kH, kW], codebook, codes));
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 3);
        Assert.Contains("codes(32 centroids)", net.DescribeLayers()[0]);
        // Codes + codebook + bias; where the AVX-512 GEMM runs (non-depthwise), codes are held in its 8-row panels, padded,
        // with a per-row scale and bias beside them.
        long least = codes.Length + 4L * (codebook.Length + outC);
        long paddedRows = (outC / groups + 7) / 8 * 8 * groups;
        Assert.InRange(net.WeightBytes, least, paddedRows * perGroup * kH * kW + 4L * (codebook.Length + outC + 2 * paddedRows));
    }

    [Fact]
    public void DenseEnoughSparseAndDepthwiseSparseWeightsRunAsCodes()
    {
        var b = new ModelBuilder(21);
        int x = b.Input(6, 10, 10);
        int c1 = b.Conv(x, "dense-ish", 6, 8, 3, 3, 1, 1, 1, 1, 1, weight: SparseConvWeight(b, "dense-ish.weight", 8, 6, 3, 3, 0.7, 7));
        b.Conv(c1, "dw", 8, 8, 3, 3, 1, 1, 1, 1, 8, weight: SparseConvWeight(b, "dw.weight", 8, 1, 3, 3, 0.5, 4));
        PocketNetwork net = Assertions.MatchesTorch(b.Build(), batch: 2);
        Assert.StartsWith("dense-ish: conv-im2col-gemm", net.DescribeLayers()[0]);
        // 7-bit codebook + the pruned zero: byte codes. (An 8-bit one + the zero needs ushort codes, 2 bytes per weight,
        // against which 6 bytes per kept weight of CSR wins already at 70 % kept.)
        Assert.Contains("codes(129 centroids)", net.DescribeLayers()[0]);
        Assert.StartsWith("dw: depthwise-direct", net.DescribeLayers()[1]);
        Assert.Contains("codes(17 centroids)", net.DescribeLayers()[1]);
    }

    [Theory]
    [InlineData(0.12)]
    [InlineData(0.7)]
    public void CompressedConvIsBitIdenticalToDenseFloatConvWithFoldedBatchNorm(double density)
    {
        // Same weights as a compressed tensor and as plain floats: the compressed kernels skip only exact zeros and
        // decode the same products (centroid · BN scale) the float path folds, so outputs must be equal, not close.
        PocketModel Build(bool dense)
        {
            var b = new ModelBuilder(33);
            int x = b.Input(10, 11, 11);
            SparseQuantizedTensor w = SparseConvWeight(b, "conv.weight", 16, 10, 3, 3, density, 8);
            int c = b.Conv(x, "conv", 10, 16, 3, 3, 1, 1, 1, 1, 1,
                weight: dense ? new DenseTensor(w.Name, w.Shape, w.ToDense()) : w);
            int bn = b.BatchNorm(c, "bn", 16);
            b.Op("relu", OpKind.Relu, bn);
            return b.Build();
        }

        PocketModel compressed = Build(dense: false);
        PocketNetwork compressedNet = Assertions.MatchesTorch(compressed, batch: 2);
        Assert.Single(compressedNet.DescribeLayers()); // BN and ReLU folded into the compressed conv
        Assert.Contains(density < 0.3 ? "conv-sparse-csr-direct" : "codes(257 centroids)", compressedNet.DescribeLayers()[0]);

        float[] input = Assertions.RandomInput(5, 9 * compressedNet.InputLength);
        var expected = new float[9 * compressedNet.OutputLength];
        var actual = new float[expected.Length];
        PocketNetwork.Load(Build(dense: true)).Predict(input, 9, expected);
        compressedNet.Predict(input, 9, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ParallelCompressedConvIsBitIdenticalToSequential()
    {
        var b = new ModelBuilder(44);
        int x = b.Input(16, 20, 20);
        int c1 = b.Conv(x, "sparse", 16, 64, 3, 3, 1, 1, 1, 1, 1, weight: SparseConvWeight(b, "sparse.weight", 64, 16, 3, 3, 0.15, 8));
        b.Conv(c1, "quantized", 64, 48, 3, 3, 1, 1, 1, 1, 1, weight: SparseConvWeight(b, "quantized.weight", 48, 64, 3, 3, 0.6, 5));
        PocketModel model = b.Build();
        float[] input = Assertions.RandomInput(3, 11 * 16 * 20 * 20);
        var sequential = new float[11 * 48 * 20 * 20];
        var parallel = new float[sequential.Length];
        PocketNetwork.Load(model).Predict(input, 11, sequential);
        PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 4 }).Predict(input, 11, parallel);
        Assert.Equal(sequential, parallel);
        float[] single = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 4 }).Predict(input.AsSpan(0, 16 * 20 * 20));
        Assert.Equal(sequential.AsSpan(0, single.Length).ToArray(), single);
    }

    [Fact]
    public void CompressedLeNet5HoldsAtMostATenthOfDenseWeights()
    {
        // LeNet-5 (Caffe variant) compressed as in Deep Compression: conv1 66 % / 8-bit, conv2 12 % / 8-bit,
        // fc1 8 % / 5-bit, fc2 19 % / 5-bit; biases dense.
        var b = new ModelBuilder(55);
        int x = b.Input(1, 28, 28);
        int c1 = b.Conv(x, "conv1", 1, 20, 5, 5, weight: SparseConvWeight(b, "conv1.weight", 20, 1, 5, 5, 0.66, 8));
        int p1 = b.Pool(c1, "pool1", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        int c2 = b.Conv(p1, "conv2", 20, 50, 5, 5, weight: SparseConvWeight(b, "conv2.weight", 50, 20, 5, 5, 0.12, 8));
        int p2 = b.Pool(c2, "pool2", OpKind.MaxPool2d, 2, 2, 2, 2, 0, 0, false);
        int f = b.Op("flatten", OpKind.Flatten, p2);
        int fc1 = b.Linear(f, "fc1", 800, 500, weight: b.SparseWeight("fc1.weight", 500, 800, 0.08, 5));
        int r = b.Op("relu", OpKind.Relu, fc1);
        b.Linear(r, "fc2", 500, 10, weight: b.SparseWeight("fc2.weight", 10, 500, 0.19, 5));
        PocketModel model = b.Build();

        PocketNetwork net = Assertions.MatchesTorch(model, batch: 9);
        long denseBytes = 4L * model.Tensors.Values.Sum(t => t.ElementCount);
        Assert.Equal(1_724_320, denseBytes);
        Assert.True(net.WeightBytes * 10 <= denseBytes, $"{net.WeightBytes} bytes vs dense {denseBytes}");
        Assert.Contains(net.DescribeLayers(), l => l.StartsWith("conv1: conv-im2col-gemm", StringComparison.Ordinal) && l.Contains("codes("));
        Assert.Contains(net.DescribeLayers(), l => l.StartsWith("conv2: conv-sparse-csr-direct", StringComparison.Ordinal));
    }

    /// <summary>A pruned + quantized conv weight [outC, inPerGroup, kH, kW] with about <paramref name="density"/> kept.</summary>
    internal static SparseQuantizedTensor SparseConvWeight(ModelBuilder b, string name, int outC, int inPerGroup, int kH, int kW, double density, int bits) =>
        b.SparseWeight(name, outC, inPerGroup * kH * kW, density, bits) with { Shape = [outC, inPerGroup, kH, kW] };
}
