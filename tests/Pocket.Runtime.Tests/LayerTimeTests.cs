using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class LayerTimeTests
{
    [Fact]
    public void TimesEveryExecutedLayerInOrder()
    {
        PocketNetwork net = PocketNetwork.Load(GraphTests.LeNet5(5, compressed: true));
        float[] input = Assertions.RandomInput(3, 2 * net.InputLength);
        IReadOnlyList<LayerTime> times = net.TimeLayers(input, 2, 5);
        Assert.Equal(net.DescribeLayers(), times.Select(t => $"{t.Name}: {t.Kernel} -> {t.OutputShape}").ToArray());
        Assert.All(times, t => Assert.True(t.Milliseconds >= 0));
        Assert.True(times.Sum(t => t.Milliseconds) > 0);
    }

    [Fact]
    public void RefusesABatchBeyondOneTileAndAShortInput()
    {
        PocketNetwork net = PocketNetwork.Load(GraphTests.LeNet5(5, compressed: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TimeLayers(new float[65 * net.InputLength], 65, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TimeLayers(new float[net.InputLength], 1, 0));
        Assert.Throws<PocketRuntimeException>(() => net.TimeLayers(new float[net.InputLength - 1], 1, 1));
    }
}
