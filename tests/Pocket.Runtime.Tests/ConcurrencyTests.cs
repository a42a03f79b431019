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
}
