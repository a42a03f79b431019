using Pocket.Format;
using Pocket.Runtime.Ops;

namespace Pocket.Runtime.Tests;

/// <summary>
/// The dense fully connected layer with the outputs in the lanes (<see cref="OutputLanesLinear"/>, AVX-512), and the
/// batch-wide tail that runs it over whole batches (<see cref="GraphCompiler.FindBatchWideTail"/>): against float64 at
/// sizes that leave partial vectors and partial tiles, and bit-identical whatever the batch and thread count.
/// </summary>
public class OutputLanesLinearTests
{
    private static float[] Float64Linear(float[] x, int batch, int inF, int outF, float[] w, float[] bias, FusedActivation activation)
    {
        var y = new float[batch * outF];
        for (int s = 0; s < batch; s++)
            for (int o = 0; o < outF; o++)
            {
                double sum = bias[o];
                for (int k = 0; k < inF; k++) sum += (double)w[o * inF + k] * x[s * inF + k];
                y[s * outF + o] = activation.Apply((float)sum);
            }
        return y;
    }

    [Theory]
    [InlineData(1, 1, 1, 0)]
    [InlineData(7, 15, 3, 1)]         // one partial vector
    [InlineData(33, 17, 5, 2)]       // a whole and a partial vector, a partial sample tile
    [InlineData(800, 500, 9, 1)]      // LeNet-5's fc1: 7 whole tiles, a tail of 52, tiles of 4 + 1
    [InlineData(64, 129, 4, 0)]       // two whole tiles and one output
    [InlineData(500, 10, 64, 0)]      // LeNet-5's fc2 at batch 64
    public void Kernel_matches_float64(int inF, int outF, int batch, int activationIndex)
    {
        var activation = (FusedActivation)activationIndex; // none, ReLU, ReLU6
        if (!OutputLanesLinear.IsSupported) return; // the dot-product form runs instead (LinearTests)
        var random = new Random(inF * 31 + outF);
        float[] w = Values(random, outF * inF, 1 / MathF.Sqrt(inF)), bias = Values(random, outF, 0.5f), x = Values(random, batch * inF, 1f);
        float[] panels = OutputLanesLinear.Pack(w, outF, inF), padded = OutputLanesLinear.PadBias(bias, outF);
        // Written past y's end would show as a changed guard value.
        var y = new float[batch * outF + 16];
        Array.Fill(y, 12345f);
        int tiles = (outF + OutputLanesLinear.ColumnTile - 1) / OutputLanesLinear.ColumnTile;
        // Two calls over halves of the tiles, as two threads make them.
        OutputLanesLinear.Multiply(panels, padded, x, inF, y, outF, batch, 0, tiles / 2, activation);
        OutputLanesLinear.Multiply(panels, padded, x, inF, y, outF, batch, tiles / 2, tiles, activation);
        Assertions.Close(Float64Linear(x, batch, inF, outF, w, bias, activation), y[..(batch * outF)], 1e-5);
        Assert.All(y[(batch * outF)..], v => Assert.Equal(12345f, v));
    }

    [Fact]
    public void LeNet5_runs_its_fc_layers_over_the_whole_batch()
    {
        PocketModel model = GraphTests.LeNet5(3, compressed: false);
        var net = PocketNetwork.Load(model);
        CompiledGraph graph = GraphCompiler.Compile(model, PocketNetworkOptions.Default);
        if (!OutputLanesLinear.IsSupported)
        {
            Assert.False(graph.HasBatchWideTail);
            return;
        }
        Assert.Contains("linear-dense-lanes 800->500+relu", net.DescribeLayers()[4]);
        Assert.Equal(4, graph.TailStart); // conv1, pool1, conv2, pool2 per tile; fc1+relu, fc2 batch-wide
        Assert.Equal(graph.Layers[3].OutputSlot, graph.TailInputSlot);
    }

    [Fact]
    public void A_network_of_dense_layers_is_all_tail_and_one_with_a_sparse_layer_has_none()
    {
        if (!OutputLanesLinear.IsSupported) return;
        var dense = new ModelBuilder(5);
        int x = dense.Input(784, 1, 1);
        int fc1 = dense.Linear(x, "fc1", 784, 300);
        int relu = dense.Op("relu", OpKind.Relu, fc1);
        dense.Linear(relu, "fc2", 300, 10);
        CompiledGraph all = GraphCompiler.Compile(dense.Build(), PocketNetworkOptions.Default);
        Assert.Equal((0, 0), (all.TailStart, all.TailInputSlot));

        var mixed = new ModelBuilder(5);
        x = mixed.Input(784, 1, 1);
        fc1 = mixed.Linear(x, "fc1", 784, 300);
        mixed.Linear(fc1, "fc2", 300, 10, weight: mixed.SparseWeight("fc2.weight", 10, 300, 0.1, 4));
        Assert.False(GraphCompiler.Compile(mixed.Build(), PocketNetworkOptions.Default).HasBatchWideTail);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(130)] // two chunks of the tail and a partial one
    public void Dense_LeNet300_batch_equals_each_sample_alone_and_float64(int batch)
    {
        var b = new ModelBuilder(8);
        int x = b.Input(784, 1, 1);
        int fc1 = b.Linear(x, "fc1", 784, 300);
        int r1 = b.Op("relu1", OpKind.Relu, fc1);
        int fc2 = b.Linear(r1, "fc2", 300, 100);
        int r2 = b.Op("relu2", OpKind.Relu, fc2);
        b.Linear(r2, "fc3", 100, 10);
        PocketModel model = b.Build();
        float[] input = Assertions.RandomInput(4, batch * 784);

        float[] h1 = Float64Linear(input, batch, 784, 300, Dense(model, "fc1.weight"), Dense(model, "fc1.bias"), FusedActivation.Relu);
        float[] h2 = Float64Linear(h1, batch, 300, 100, Dense(model, "fc2.weight"), Dense(model, "fc2.bias"), FusedActivation.Relu);
        float[] expected = Float64Linear(h2, batch, 100, 10, Dense(model, "fc3.weight"), Dense(model, "fc3.bias"), FusedActivation.None);

        foreach (int threads in new[] { 1, 2 })
        {
            var net = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = threads });
            var actual = new float[batch * 10];
            net.Predict(input, batch, actual);
            Assertions.Close(expected, actual, 1e-5);
            for (int s = 0; s < batch; s += 7)
                Assert.Equal(actual[(s * 10)..(s * 10 + 10)], net.Predict(input.AsSpan(s * 784, 784)));
        }
    }

    private static float[] Dense(PocketModel model, string name) => model.Tensors[name].ToDense();

    private static float[] Values(Random random, int count, float scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
}
