using CsCheck;

namespace Pocket.Format.Tests;

public class RoundTripTests
{
    [Theory]
    [InlineData(StreamCodingChoice.Smallest)]
    [InlineData(StreamCodingChoice.FixedWidth)]
    [InlineData(StreamCodingChoice.Huffman)]
    public void Small_model_is_bit_identical_after_a_round_trip(StreamCodingChoice choice)
    {
        var model = TestModels.Small();
        byte[] bytes = PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = choice });
        var decoded = PocketFile.Decode(bytes);
        TestModels.AssertIdentical(model, decoded);
        Assert.Equal(bytes, PocketFile.Encode(decoded, new PocketWriteOptions { StreamCoding = choice })); // deterministic
    }

    [Fact]
    public void The_same_metadata_gathered_in_another_order_gives_the_same_file()
    {
        var model = TestModels.Small();
        var entries = new[] { ("zeta", "1"), ("model", "lenet5"), ("Alpha", "2"), ("é", "3"), ("a", "4") };
        var forward = model with { Metadata = entries.ToDictionary(e => e.Item1, e => e.Item2) };
        var backward = model with { Metadata = entries.Reverse().ToDictionary(e => e.Item1, e => e.Item2) };
        byte[] bytes = PocketFile.Encode(forward);
        Assert.Equal(bytes, PocketFile.Encode(backward));
        // Stored by the UTF-8 bytes of the keys: upper case before lower, "é" (0xC3 0xA9) last.
        Assert.Equal(["Alpha", "a", "model", "zeta", "é"], PocketFile.Decode(bytes).Metadata.Keys);
    }

    [Fact]
    public void Negative_zero_and_nan_payloads_survive()
    {
        float[] odd = [-0.0f, 0.0f, TestModels.Bits(0x7FC00001), TestModels.Bits(0xFFBFFFFF), TestModels.Bits(0x7F800001), float.Epsilon, float.NegativeInfinity];
        var model = TestModels.WithTensors(new DenseTensor("odd", [odd.Length], odd));
        var back = (DenseTensor)PocketFile.Decode(PocketFile.Encode(model)).Tensors["odd"];
        Assert.Equal(TestModels.FloatBits(odd), TestModels.FloatBits(back.Values));
    }

    [Fact]
    public void Empty_model_and_empty_tensors_round_trip()
    {
        var empty = new PocketModel(new ModelGraph([]), new Dictionary<string, PocketTensor>(), new Dictionary<string, string>());
        TestModels.AssertIdentical(empty, PocketFile.Decode(PocketFile.Encode(empty)));
        var model = TestModels.WithTensors(
            new DenseTensor("d", [0, 5], []),
            new QuantizedDenseTensor("q", [0], [], []),
            new SparseQuantizedTensor("s", [3, 0], [], [], [], 4),
            new SparseQuantizedTensor("s2", [10, 10], [1f], [], [], 1),
            new BinaryTensor("b", [0, 3], [], []),
            new DenseTensor("scalar", [], [42f]));
        TestModels.AssertIdentical(model, PocketFile.Decode(PocketFile.Encode(model)));
    }

    private static readonly Gen<SparseQuantizedTensor> SparseTensors =
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 300], Gen.Int[1, 16], Gen.Int[1, 256], Gen.Int[0, 5], Gen.Int)
        .Select((rows, cols, bits, k, mode, seed) =>
        {
            var rng = new Random(seed);
            if (mode == 5) { rows = 1; cols = rng.Next(60_000, 200_000); } // gaps beyond 2^16 for wide indices
            double density = mode switch { 0 => 0, 1 => 1, 2 => 0.005, 3 => 0.1, _ => 0.5 };
            var positions = new List<int>();
            for (int r = 0; r < rows; r++)
            {
                if (rng.Next(4) == 0) continue; // whole empty rows
                for (int c = 0; c < cols; c++)
                    if (mode == 5 ? rng.Next(40_000) == 0 : rng.NextDouble() < density) positions.Add(r * cols + c);
            }
            var codebook = Enumerable.Range(0, k).Select(_ => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(uint.MaxValue + 1L))).ToArray();
            // Skewed codes, as trained quantization gives: most weights sit in a few clusters.
            var codes = positions.Select(_ => (ushort)(k * Math.Pow(rng.NextDouble(), 2))).ToArray();
            return new SparseQuantizedTensor("w", [rows, cols], codebook, positions.ToArray(), codes, bits);
        });

    [Fact]
    public void Random_sparse_tensors_round_trip_bit_identically()
    {
        Gen.Select(SparseTensors, Gen.Int[0, 2]).Sample((tensor, choice) =>
        {
            var model = TestModels.WithTensors(tensor);
            var decoded = PocketFile.Decode(PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = (StreamCodingChoice)choice }));
            TestModels.AssertIdentical(tensor, decoded.Tensors["w"]);
        }, iter: 150);
    }

    [Fact]
    public void Every_index_width_with_gaps_longer_than_it_holds()
    {
        for (int bits = 1; bits <= 16; bits++)
        {
            int span = 1 << bits;
            int[] positions = [0, span - 1, 2 * span - 1, 5 * span + 3, 9 * span + 2, 9 * span + 3];
            var codes = positions.Select((_, i) => (ushort)(i % 3)).ToArray();
            var tensor = new SparseQuantizedTensor("w", [10 * span + 4], [0.5f, -1f, 2f], positions, codes, bits);
            foreach (var choice in Enum.GetValues<StreamCodingChoice>())
            {
                var bytes = PocketFile.Encode(TestModels.WithTensors(tensor), new PocketWriteOptions { StreamCoding = choice });
                var report = PocketFile.Inspect(bytes).Tensors[0];
                Assert.Equal(positions.Length, report.NonZeroCount);
                Assert.True(report.FillerCount >= 4, $"b={bits}: {report.FillerCount} fillers");
                TestModels.AssertIdentical(tensor, PocketFile.Decode(bytes).Tensors["w"]);
            }
        }
    }

    [Fact]
    public void Quantized_dense_and_binary_round_trip_for_random_shapes()
    {
        Gen.Select(Gen.Int[1, 256], Gen.Int[0, 2000], Gen.Int[1, 12], Gen.Int).Sample((k, n, filters, seed) =>
        {
            var rng = new Random(seed);
            var codebook = Enumerable.Range(0, k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var q = new QuantizedDenseTensor("q", [n], codebook, Enumerable.Range(0, n).Select(_ => (ushort)rng.Next(k)).ToArray());
            int elements = filters * (n % 50);
            var bits = new byte[(elements + 7) / 8];
            rng.NextBytes(bits);
            if (elements % 8 != 0) bits[^1] &= (byte)((1 << (elements % 8)) - 1);
            var b = new BinaryTensor("b", [filters, n % 50], Enumerable.Range(0, filters).Select(_ => (float)rng.NextDouble()).ToArray(), bits);
            var model = TestModels.WithTensors(q, b);
            TestModels.AssertIdentical(model, PocketFile.Decode(PocketFile.Encode(model)));
        }, iter: 100);
    }

    [Fact]
    public void Writer_rejects_invalid_models()
    {
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new QuantizedDenseTensor("q", [2], [1f], [0, 1]))));
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new SparseQuantizedTensor("s", [9], [1f], [3, 3], [0, 0], 3))));
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new SparseQuantizedTensor("s", [9], [1f], [9], [0], 3))));
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new SparseQuantizedTensor("s", [9], [1f], [1], [0], 17))));
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new DenseTensor("d", [3], [1f]))));
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(TestModels.WithTensors(new BinaryTensor("b", [1, 3], [1f], [0xFF]))));
        var badInput = new PocketModel(new ModelGraph([GraphNode.Create("a", OpKind.Relu, [0])]), new Dictionary<string, PocketTensor>(), new Dictionary<string, string>());
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(badInput));
        var missing = new PocketModel(new ModelGraph([GraphNode.Create("a", OpKind.Linear, [], [1, 1], ["nope"])]), new Dictionary<string, PocketTensor>(), new Dictionary<string, string>());
        Assert.Throws<ArgumentException>(() => PocketFile.Encode(missing));
    }
}
