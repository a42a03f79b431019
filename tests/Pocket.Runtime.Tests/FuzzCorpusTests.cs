using Pocket.Format;
using Pocket.Fuzz;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The fuzz target's own check (tools/fuzz/PocketInputCheck.cs) over every seed of the corpus and every regression
/// file the fuzzer found: decode, load and (for small networks) one predict, with only the documented exception
/// types, one-line messages and allocations within the bounds. Regression files for Load live in fuzz-regressions/.
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string> Inputs() => new(FuzzInputs.Under(Path.Combine(AppContext.BaseDirectory, "fuzz-inputs")));

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_passes_the_fuzz_targets_check(string relativePath)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fuzz-inputs", relativePath));
        PocketInputCheck.Run(bytes); // throws FuzzFailure on any misbehaviour
    }

    [Theory]
    [InlineData("corpus")]
    [InlineData("format-regressions")]
    [InlineData("runtime-regressions")]
    public void The_replay_finds_its_files(string folder)
    {
        // A glob that matches nothing would make the replay above check nothing, silently.
        Assert.Contains(FuzzInputs.Under(Path.Combine(AppContext.BaseDirectory, "fuzz-inputs")),
            p => p.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public void The_corpus_reaches_the_runtime()
    {
        // A corpus whose seeds the reader refused would fuzz only the header checks.
        string corpus = Path.Combine(AppContext.BaseDirectory, "fuzz-inputs", "corpus");
        var outcomes = Directory.EnumerateFiles(corpus).Select(f => PocketInputCheck.Run(File.ReadAllBytes(f))).ToList();
        Assert.True(outcomes.Count >= 10, $"{outcomes.Count} seeds");
        Assert.All(outcomes, o => Assert.True(o is PocketInputCheck.Outcome.Loaded or PocketInputCheck.Outcome.Predicted, o.ToString()));
        Assert.Contains(PocketInputCheck.Outcome.Predicted, outcomes);
    }

    [Fact]
    public void A_node_name_with_a_newline_gives_a_one_line_error()
    {
        // The fuzzer's first find: the runtime put node names from the file into its messages unfiltered.
        var model = new PocketModel(new ModelGraph(
            [GraphNode.Create("input", OpKind.Input, [], [1, 2, 2]), GraphNode.Create("bad\nname", OpKind.Input, [0], [1, 1, 1])]),
            new Dictionary<string, PocketTensor>(), new Dictionary<string, string>());
        var e = Assert.Throws<PocketRuntimeException>(() => PocketNetwork.Load(model));
        Assert.Equal("node 1 'bad?name': only node 0 may be Input", e.Message);
    }

    [Fact]
    public void A_sparse_conv_weight_that_would_expand_to_gigabytes_is_refused_before_allocating()
    {
        // 20,000 filters of 300×300 = 1.8e9 weights with one kept: a few hundred bytes in a file. The CSR kernel takes
        // K ≤ 65536 only (here K = 90,000), so Load used to expand it to one ushort code per weight (3.6 GB).
        var weight = new SparseQuantizedTensor("w", [20000, 1, 300, 300], [1f], [0], [0], IndexBits: 16);
        var model = new PocketModel(new ModelGraph(
            [GraphNode.Create("input", OpKind.Input, [], [1, 300, 300]),
             GraphNode.Create("conv", OpKind.Conv2d, [0], [20000, 1, 300, 300, 1, 1, 0, 0, 1], ["w", ""])]),
            new Dictionary<string, PocketTensor> { ["w"] = weight }, new Dictionary<string, string>());
        byte[] file = PocketFile.Encode(model);
        Assert.True(file.Length < 1000, $"{file.Length} bytes");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<PocketRuntimeException>(() => PocketNetwork.Load(file));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith("node 1 'conv': weight tensor 'w' keeps 1 of 1800000000 weights", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void A_nearly_empty_sparse_depthwise_conv_still_loads_because_its_activations_pay_for_the_expansion()
    {
        // One kept weight of 8 × 5×5: the expanded codes (208 bytes) are over 4× the CSR form (3 + 4·9 + 4 bytes) but
        // far below the layer's activations (2 × 800 floats), so the limit does not refuse ordinary pruned models.
        var weight = new SparseQuantizedTensor("w", [8, 1, 5, 5], [0.5f], [7], [0], IndexBits: 4);
        var model = new PocketModel(new ModelGraph(
            [GraphNode.Create("input", OpKind.Input, [], [8, 10, 10]),
             GraphNode.Create("dw", OpKind.Conv2d, [0], [8, 8, 5, 5, 1, 1, 2, 2, 8], ["w", ""])]),
            new Dictionary<string, PocketTensor> { ["w"] = weight }, new Dictionary<string, string>());
        var network = PocketNetwork.Load(model);
        var input = new float[8 * 10 * 10];
        input[0] = 2f; // weight 7 of filter 0 is tap (1, 2): output (1, 0) of channel 0 reads input (0, 0)
        float[] output = network.Predict(input);
        Assert.Equal(1f, output[1 * 10 + 0]);
        Assert.Equal(1, output.Count(v => v != 0));
    }

    [Fact]
    public void A_layer_whose_scratch_cannot_be_one_array_is_refused_at_load_not_in_predict()
    {
        // A 100×100 binary filter (1,250 bytes of bits) over a 5000×5000 input: im2col needs 10^4 × 4901² floats (plus a
        // row). Load used to accept it, and Predict cast the length to int (−296,138,775) and failed in ArrayPool.Rent.
        var bits = new byte[100 * 100 / 8];
        var weight = new BinaryTensor("w", [1, 1, 100, 100], [1f], bits);
        var model = new PocketModel(new ModelGraph(
            [GraphNode.Create("input", OpKind.Input, [], [1, 5000, 5000]),
             GraphNode.Create("conv", OpKind.Conv2d, [0], [1, 1, 100, 100, 1, 1, 0, 0, 1], ["w", ""])]),
            new Dictionary<string, PocketTensor> { ["w"] = weight }, new Dictionary<string, string>());
        var e = Assert.Throws<PocketRuntimeException>(() => PocketNetwork.Load(model));
        Assert.StartsWith("layer 'conv' needs 240222029801 floats of scratch for 1 sample(s)", e.Message);
    }

    [Fact]
    public void A_padding_that_overflows_the_padded_input_is_refused()
    {
        var model = new PocketModel(new ModelGraph(
            [GraphNode.Create("input", OpKind.Input, [], [1, 2, 2]),
             GraphNode.Create("pool", OpKind.MaxPool2d, [0], [int.MaxValue, 1, 1, 1, int.MaxValue / 2, 0, 0])]),
            new Dictionary<string, PocketTensor>(), new Dictionary<string, string>());
        var e = Assert.Throws<PocketRuntimeException>(() => PocketNetwork.Load(model));
        Assert.Contains("'pool': padding", e.Message);
    }
}
