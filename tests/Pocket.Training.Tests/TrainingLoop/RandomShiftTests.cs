using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.TrainingLoop;

[Collection(TorchRandomness.Collection)]
public class RandomShiftTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, -1)]
    [InlineData(-3, 2)]
    [InlineData(5, 5)]
    [InlineData(-7, 0)]
    [InlineData(7, -7)]   // everything moved out: all zeros
    public void Moves_every_pixel_by_dx_dy_and_fills_the_border_with_zeros(int dx, int dy)
    {
        const int channels = 2, height = 5, width = 7;
        var source = new float[channels * height * width];
        for (int i = 0; i < source.Length; i++) source[i] = i + 1;
        var target = new float[source.Length];
        Array.Fill(target, -1f); // stale values must not survive
        RandomShift.Apply(source, channels, height, width, dx, dy, target);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int sy = y - dy, sx = x - dx;
                    float expected = sy is >= 0 and < height && sx is >= 0 and < width ? source[(c * height + sy) * width + sx] : 0f;
                    Assert.Equal(expected, target[(c * height + y) * width + x]);
                }
    }

    [Fact]
    public void Draws_depend_on_seed_and_epoch_alone_and_stay_within_the_bound()
    {
        static List<(int, int)> Draws(int seed, int epoch)
        {
            var shift = new RandomShift(2, seed, epoch);
            return Enumerable.Range(0, 500).Select(_ => shift.Next()).ToList();
        }
        Assert.Equal(Draws(1, 3), Draws(1, 3));
        Assert.NotEqual(Draws(1, 3), Draws(1, 4));
        Assert.NotEqual(Draws(1, 3), Draws(2, 3));
        var draws = Draws(5, 1);
        Assert.All(draws, d => Assert.InRange(d.Item1, -2, 2));
        Assert.All(draws, d => Assert.InRange(d.Item2, -2, 2));
        Assert.Equal(25, draws.Distinct().Count()); // every one of the 5 × 5 shifts occurs in 500 draws
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(RandomShift.MaxAllowed + 1)]
    public void Refuses_a_shift_out_of_range(int pixels)
    {
        Assert.NotNull(RandomShift.Problem(pixels));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomShift(pixels, 1, 1));
    }

    [Fact]
    public void Training_with_a_shift_is_reproducible_and_differs_from_training_without()
    {
        var data = TestData.MnistSlice(500, 100);
        var options = TrainingRecipes.For("lenet300") with { Epochs = 1, EvaluateEachEpoch = false, Seed = 3 };
        var plain = TrainingRun.Run(new ModelSpec("lenet300"), data, options);
        var a = TrainingRun.Run(new ModelSpec("lenet300"), data, options with { Shift = 2 });
        var b = TrainingRun.Run(new ModelSpec("lenet300"), data, options with { Shift = 2 });
        Assert.Equal(a.Checkpoint.State["fc1.weight"].Data, b.Checkpoint.State["fc1.weight"].Data);
        Assert.NotEqual(plain.Checkpoint.State["fc1.weight"].Data, a.Checkpoint.State["fc1.weight"].Data);
    }
}
