using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>
/// A batch runs in tiles of <see cref="PocketNetwork.TileBatch"/> samples, in parallel across tiles when there are
/// threads; no sample's result may depend on that. The reference is the same batch predicted one tile per call, on
/// dense and compressed LeNet-5, whose fc layers take samples in fours (so a tile's last samples take another kernel).
/// </summary>
public class TileTests
{
    [Theory]
    [InlineData(false, 70)]
    [InlineData(true, 70)]
    [InlineData(false, 64)]
    [InlineData(true, 13)]
    public void A_batch_equals_the_same_samples_run_eight_at_a_time(bool compressed, int batch)
    {
        PocketModel model = GraphTests.LeNet5(11, compressed);
        var one = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        float[] input = Assertions.RandomInput(21, batch * one.InputLength);
        var expected = new float[batch * one.OutputLength];
        for (int start = 0; start < batch; start += PocketNetwork.TileBatch)
        {
            int count = Math.Min(PocketNetwork.TileBatch, batch - start);
            one.Predict(input.AsSpan(start * one.InputLength, count * one.InputLength), count,
                expected.AsSpan(start * one.OutputLength, count * one.OutputLength));
        }
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var net = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = threads });
            var actual = new float[expected.Length];
            net.Predict(input, batch, actual);
            Assert.Equal(expected, actual);
        }
    }
}
