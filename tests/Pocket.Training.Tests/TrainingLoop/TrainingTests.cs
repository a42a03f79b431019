using Pocket.Training.Checkpoints;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.TrainingLoop;

[Collection(TorchRandomness.Collection)]
public class TrainingTests
{
    private static readonly TrainingOptions Short = TrainingRecipes.For("lenet300") with { Epochs = 2, EvaluateEachEpoch = false };

    [Fact]
    public void LeNet300_on_a_2000_image_slice_clearly_beats_chance()
    {
        var result = TrainingRun.Run(new ModelSpec("lenet300"), TestData.MnistSlice(), Short with { Epochs = 3 });
        Assert.True(result.Test.Accuracy > 0.75, $"accuracy {result.Test.Accuracy:P2}");
    }

    [Fact]
    public void LeNet5_on_a_2000_image_slice_clearly_beats_chance()
    {
        var result = TrainingRun.Run(new ModelSpec("lenet5"), TestData.MnistSlice(), TrainingRecipes.For("lenet5") with { Epochs = 3, EvaluateEachEpoch = false });
        Assert.True(result.Test.Accuracy > 0.75, $"accuracy {result.Test.Accuracy:P2}");
    }

    [Fact]
    public void Same_seed_same_weights_different_seed_different_weights()
    {
        var data = TestData.MnistSlice(500, 100);
        var a = TrainingRun.Run(new ModelSpec("lenet300"), data, Short with { Epochs = 1, Seed = 7 });
        var b = TrainingRun.Run(new ModelSpec("lenet300"), data, Short with { Epochs = 1, Seed = 7 });
        var c = TrainingRun.Run(new ModelSpec("lenet300"), data, Short with { Epochs = 1, Seed = 8 });
        Assert.Equal(a.Checkpoint.State["fc1.weight"].Data, b.Checkpoint.State["fc1.weight"].Data);
        Assert.NotEqual(a.Checkpoint.State["fc1.weight"].Data, c.Checkpoint.State["fc1.weight"].Data);
    }

    [Fact]
    public void Checkpoint_round_trip_gives_identical_predictions()
    {
        var data = TestData.MnistSlice(1000, 500);
        var trained = TrainingRun.Run(new ModelSpec("lenet5"), data, TrainingRecipes.For("lenet5") with { Epochs = 1, EvaluateEachEpoch = false });
        string path = TestData.TempFile(".ckpt");
        trained.Checkpoint.Save(path);
        var loaded = Checkpoint.Load(path);
        Assert.Equal("lenet5", loaded.Model.Name);
        Assert.Equal("mnist", loaded.Dataset);
        using var model = ModuleState.Restore(loaded);
        var again = Evaluator.Evaluate(model, data.Test, loaded.Input);
        Assert.Equal(trained.Test.Predictions, again.Predictions);
    }

    [Fact]
    public void Parameter_counts_match_Han_et_al()
    {
        using var l300 = ModelZoo.Create(new ModelSpec("lenet300"), new InputShape(1, 28, 28), 10);
        using var l5 = ModelZoo.Create(new ModelSpec("lenet5"), new InputShape(1, 28, 28), 10);
        Assert.Equal(266_610, l300.parameters().Sum(p => p.numel()));
        Assert.Equal(431_080, l5.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void A_corrupted_checkpoint_is_refused_in_one_line()
    {
        string path = TestData.TempFile(".ckpt");
        File.WriteAllBytes(path, "POCKETCK"u8.ToArray().Concat(BitConverter.GetBytes(1L << 40)).Concat(new byte[32]).ToArray());
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
        Assert.Contains("header length", e.Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("not a Pocket checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_checkpoint_intact()
    {
        string path = TestData.TempFile(".ckpt");
        File.WriteAllText(path, "previous");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("disk full"); }));
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.*"));
    }
}
