namespace Pocket.Format.Tests;

public class InspectTests
{
    [Fact]
    public void Report_describes_each_tensor()
    {
        var model = TestModels.Small();
        byte[] bytes = PocketFile.Encode(model);
        var report = PocketFile.Inspect(bytes, "small.pocket");
        Assert.Equal(bytes.Length, report.FileBytes);
        Assert.Equal(8, report.NodeCount);
        Assert.Equal(3, report.MetadataEntries);
        Assert.Equal(model.Tensors.Keys, report.Tensors.Select(t => t.Name));

        var sparse = report.Tensors.Single(t => t.Name == "fc1.weight");
        Assert.Equal(TensorEncoding.SparseQuantized, sparse.Encoding);
        Assert.Equal(120, sparse.ElementCount);
        Assert.Equal(7, sparse.NonZeroCount);
        Assert.Equal(RelativeIndexCount(model), sparse.EntryCount);
        Assert.Equal(4, sparse.CodebookSize);
        Assert.Equal(3, sparse.IndexBits);
        Assert.Equal(3, sparse.IndexBitsFixed);
        Assert.Equal(3, sparse.WeightBitsFixed); // 4 codes + the filler symbol = 5 symbols → 3 bits
        Assert.NotNull(sparse.WeightCodes);
        Assert.NotNull(sparse.RelativeIndices);
        Assert.InRange(sparse.WeightBitsHuffman, sparse.WeightCodes.EntropyBitsPerSymbol, sparse.WeightCodes.EntropyBitsPerSymbol + 1);
        Assert.InRange(sparse.IndexBitsHuffman, sparse.RelativeIndices.EntropyBitsPerSymbol, sparse.RelativeIndices.EntropyBitsPerSymbol + 1);

        var dense = report.Tensors.Single(t => t.Name == "fc1.bias");
        Assert.Equal(32, dense.WeightBitsFixed);
        Assert.Null(dense.WeightCodes);
        Assert.Equal(report.Tensors.Sum(t => t.DenseBytes), report.DenseBytes);
        Assert.All(report.Tensors, t => Assert.True(t.SectionOffset % 8 == 0 && t.SectionOffset + t.SectionBytes <= bytes.Length));
    }

    private static long RelativeIndexCount(Pocket.Format.PocketModel model)
    {
        var s = (SparseQuantizedTensor)model.Tensors["fc1.weight"];
        return Pocket.Format.Sparse.RelativeIndexCodec.CountEntries(s.Positions, s.IndexBits);
    }

    [Fact]
    public void Entropy_coding_beats_fixed_width_on_a_skewed_layer()
    {
        var rng = new Random(1);
        var positions = Enumerable.Range(0, 300 * 100).Where(_ => rng.NextDouble() < 0.08).ToArray();
        var codes = positions.Select(_ => (ushort)(32 * Math.Pow(rng.NextDouble(), 3))).ToArray();
        var tensor = new SparseQuantizedTensor("fc", [300, 100], new float[32], positions, codes, 5);
        var report = PocketFile.Inspect(PocketFile.Encode(TestModels.WithTensors(tensor))).Tensors[0];
        Assert.NotEqual(StreamCoding.FixedWidth, report.WeightCodes!.StoredCoding); // Huffman or adaptive, whichever is smaller
        Assert.True(report.WeightBitsHuffman < report.WeightBitsFixed);
        Assert.True(report.IndexBitsHuffman < report.IndexBitsFixed);
        Assert.True(report.CompressionRatio > 10);
    }
}
