using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Compression;

[Collection(TorchRandomness.Collection)]
public class DeadConvTapsTests
{
    private static Checkpoint RandomSqueezeNet()
    {
        TorchSharp.torch.manual_seed(8);
        using var module = ModelZoo.Create(new ModelSpec("squeezenet1_1"), new InputShape(1, 28, 28), 10);
        return ModuleState.Capture(module, "fashion-mnist");
    }

    [Fact]
    public void Taps_that_only_read_padding_are_found_from_the_geometry()
    {
        // 3×3, padding 1: on a 1×1 input only the centre is live; stride 2 on 2×2 (one output) the lower-right 2×2;
        // stride 1 on 2×2 every tap (each reads a real pixel for some output).
        ModelGraph Graph(int size, int stride) => new([
            GraphNode.Create("input", OpKind.Input, [], [2, size, size]),
            GraphNode.Create("conv", OpKind.Conv2d, [0], [3, 2, 3, 3, stride, stride, 1, 1, 1], ["w", ""]),
        ]);
        bool[] centre = DeadConvTaps.Masks(Graph(1, 1))["w"];
        Assert.Equal(3 * 2 * 9, centre.Length);
        Assert.Equal(Enumerable.Range(0, centre.Length).Select(i => i % 9 == 4), centre);
        bool[] corner = DeadConvTaps.Masks(Graph(2, 2))["w"];
        Assert.Equal(Enumerable.Range(0, corner.Length).Select(i => i % 9 / 3 >= 1 && i % 3 >= 1), corner);
        Assert.Empty(DeadConvTaps.Masks(Graph(2, 1)));
    }

    [Fact]
    public void SqueezeNet_at_28_has_its_late_expand3x3_taps_dead_and_zeroing_them_changes_no_output_bit()
    {
        var checkpoint = RandomSqueezeNet();
        using var module = ModuleState.Restore(checkpoint);
        var masks = DeadConvTaps.Masks(module.ExportGraph());
        // fire6 … fire9 run at 1×1: 8 of 9 taps of every expand3x3 weight are dead, nothing else is.
        Assert.Equal(["fire6.expand3x3.weight", "fire7.expand3x3.weight", "fire8.expand3x3.weight", "fire9.expand3x3.weight"], masks.Keys.Order());
        Assert.Equal(409_600, masks.Values.Sum(m => m.Count(live => !live)));

        var zeroed = RandomSqueezeNet(); // the same weights again (same seed)
        foreach (var (name, live) in masks)
            zeroed.State[name] = CheckpointTensor.FromFloats(checkpoint.State[name].AsFloats().Select((v, i) => live[i] ? v : 0f).ToArray(), checkpoint.State[name].Shape);
        var rng = new Random(9);
        float[] input = Enumerable.Range(0, 3 * 28 * 28).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] Run(Checkpoint c)
        {
            var output = new float[3 * 10];
            PocketNetwork.Load(PocketEncoder.Encode(c)).Predict(input, 3, output);
            return output;
        }
        Assert.Equal(Run(checkpoint), Run(zeroed));
    }

    [Fact]
    public void Pruning_removes_dead_taps_first_and_keeps_every_live_weight_when_the_fraction_allows()
    {
        var data = TestData.MnistSlice(64, 32);
        var pruned = PruningRun.Run(RandomSqueezeNet(), data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep("conv=0.35"), Rounds = 1, Retrain = TrainingRecipes.Retraining("squeezenet1_1") with { Epochs = 0 },
        }).Checkpoint;
        byte[] fire9 = pruned.Masks["fire9.expand3x3.weight"];
        // 35 % of the layer is more than its live ninth: all of the live centre taps stay, no dead one does.
        Assert.Equal(Enumerable.Range(0, fire9.Length).Select(i => i % 9 == 4 ? (byte)1 : (byte)0), fire9);
        // Layers without dead taps keep exactly 35 %.
        byte[] squeeze = pruned.Masks["fire9.squeeze.weight"];
        Assert.Equal(Math.Round(0.35 * squeeze.Length), squeeze.Count(b => b != 0));
    }
}
