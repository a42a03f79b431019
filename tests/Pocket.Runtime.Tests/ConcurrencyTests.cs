using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void EightThreadsGiveResultsIdenticalToSequentialRuns()
    {
        PocketModel model = GraphTests.LeNet5(5, compressed: true);
        PocketNetwork net = PocketNetwork.Load(model);
        const int inputs = 48;
        float[][] samples = Enumerable.Range(0, inputs).Select(i => Assertions.RandomInput(100 + i, net.InputLength)).ToArray();
        float[][] sequential = samples.Select(s => net.Predict(s)).ToArray();

        var results = new float[8][][];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var mine = new float[inputs][];
            for (int round = 0; round < 3; round++)
                for (int k = 0; k < inputs; k++)
                {
                    int i = (k * 7 + t * 5 + round) % inputs; // each thread walks the inputs in its own order
                    mine[i] = net.Predict(samples[i]);
                }
            results[t] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < 8; t++)
            for (int i = 0; i < inputs; i++)
                Assert.Equal(sequential[i], results[t][i]);
    }

    [Fact]
    public void ParallelBatchIsBitIdenticalToSequentialBatch()
    {
        PocketModel model = GraphTests.LeNet5(6, compressed: true);
        PocketNetwork sequential = PocketNetwork.Load(model);
        PocketNetwork parallel = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 8 });
        const int batch = 37;
        float[] input = Assertions.RandomInput(7, batch * sequential.InputLength);
        float[] a = new float[batch * 10], b = new float[batch * 10];
        sequential.Predict(input, batch, a);
        parallel.Predict(input, batch, b);
        Assert.Equal(a, b);
        Assert.Equal(sequential.Predict(input.AsSpan(0, 784)), parallel.Predict(input.AsSpan(0, 784)));
    }

    /// <summary>
    /// A prediction with several threads hands its layers' chunks to persistent spinning workers, which one call owns
    /// at a time; concurrent calls run theirs on the thread pool instead. Whoever runs a chunk, and whether the workers
    /// were spinning or had gone to sleep between calls (the pauses), every output must be the one-thread result.
    /// The planes are large enough that the convolutions split their pixels between threads.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ConcurrentThreadedCallsMatchOneThread(int parallelism)
    {
        var b = new ModelBuilder(41);
        int x = b.Input(16, 64, 64);
        x = b.Op("relu1", OpKind.Relu, b.Conv(x, "expand", 16, 64, 1, 1));
        x = b.Op("relu2", OpKind.Relu, b.Conv(x, "conv3x3", 64, 32, 3, 3, 1, 1, 1, 1));
        x = b.Conv(x, "stride2", 32, 16, 3, 3, 2, 2, 1, 1);
        PocketModel model = b.Build();
        PocketNetwork one = PocketNetwork.Load(model);
        PocketNetwork many = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = parallelism });
        const int inputs = 6;
        float[][] samples = Enumerable.Range(0, inputs).Select(i => Assertions.RandomInput(200 + i, one.InputLength)).ToArray();
        float[][] expected = samples.Select(s => one.Predict(s)).ToArray();

        var failures = new List<string>();
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int round = 0; round < 6; round++)
                for (int i = 0; i < inputs; i++)
                {
                    if ((round + t) % 3 == 0) Thread.Sleep(2); // longer than the workers spin: they go to sleep and are woken
                    if (!many.Predict(samples[i]).AsSpan().SequenceEqual(expected[i]))
                        lock (failures) failures.Add($"thread {t}, round {round}, input {i}");
                }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
    }
}
