using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.TrainingLoop;

[Collection(TorchRandomness.Collection)]
public class DistillationTests
{
    [Fact]
    public void Loss_matches_a_float64_hand_computation()
    {
        var data = TestData.MnistSlice(6, 1);
        var trained = TrainingRun.Run(new ModelSpec("lenet300"), data, TrainingRecipes.For("lenet300") with { Epochs = 1, EvaluateEachEpoch = false });
        using var teacher = ModuleStateRestore(trained.Checkpoint);
        var distillation = new Distillation(0.7, 3);
        using var targets = SoftTargets.Compute(teacher, data.Train, distillation);
        Assert.Equal(6, targets.Count);

        int[] indices = [4, 1, 5];
        var student = new float[,] { { 0.3f, -1.2f, 2.0f, 0, 0.5f, 1, -0.4f, 0.9f, 0.1f, -2 }, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, { -3, 2, 0.5f, 0.25f, -1, 4, 0, 0.7f, -0.2f, 1.5f } };
        using var logits = tensor(student);
        using var labels = tensor(indices.Select(i => (long)data.Train.Labels[i]).ToArray());
        double loss = targets.Loss(logits, labels, indices).item<float>();

        // The teacher's logits in float64 from the float32 model (a linear stack: no conv path involved).
        using var x = Batches.Images(data.Train, indices, teacher.InputShape);
        double[,] t;
        using (no_grad()) t = ToArray(teacher.forward(x).to_type(ScalarType.Float64));
        double expected = 0;
        for (int r = 0; r < 3; r++)
        {
            double[] s = Enumerable.Range(0, 10).Select(c => (double)student[r, c]).ToArray();
            double[] tr = Enumerable.Range(0, 10).Select(c => t[r, c]).ToArray();
            int label = data.Train.Labels[indices[r]];
            double ce = -LogSoftmax(s, 1)[label];
            double[] p = LogSoftmax(tr, 3).Select(Math.Exp).ToArray(), logQ = LogSoftmax(s, 3);
            double kl = Enumerable.Range(0, 10).Sum(c => p[c] * (Math.Log(p[c]) - logQ[c]));
            expected += (0.3 * ce + 0.7 * 9 * kl) / 3;
        }
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void A_student_equal_to_its_teacher_has_only_the_label_term()
    {
        var data = TestData.MnistSlice(8, 1);
        var trained = TrainingRun.Run(new ModelSpec("lenet300"), data, TrainingRecipes.For("lenet300") with { Epochs = 1, EvaluateEachEpoch = false });
        using var teacher = ModuleStateRestore(trained.Checkpoint);
        int[] all = Enumerable.Range(0, 8).ToArray();
        using var x = Batches.Images(data.Train, all, teacher.InputShape);
        using var y = Batches.Labels(data.Train, all);
        using var logits = teacher.forward(x).detach();
        using var targets = SoftTargets.Compute(teacher, data.Train, new Distillation(0.5, 4));
        double ce = nn.functional.cross_entropy(logits, y).item<float>();
        Assert.Equal(0.5 * ce, targets.Loss(logits, y, all).item<float>(), 5);
    }

    [Fact]
    public void Distilling_without_a_teacher_is_refused()
    {
        var data = TestData.MnistSlice(64, 1);
        using var model = ModelZoo.Create(new ModelSpec("lenet300"), new InputShape(1, 28, 28), 10);
        var options = TrainingRecipes.Retraining("lenet300") with { Epochs = 1, Distill = new Distillation(0.5, 4) };
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(model, data.Train, options));
        Assert.Contains("soft targets", e.Message);
    }

    [Fact]
    public void Pruning_with_distillation_is_deterministic_and_changes_the_retraining()
    {
        var data = TestData.MnistSlice(600, 200);
        var trained = TrainingRun.Run(new ModelSpec("lenet300"), data, TrainingRecipes.For("lenet300") with { Epochs = 1, EvaluateEachEpoch = false });
        PruningOptions Options(Distillation? d) => new()
        {
            Rule = PruningRule.ParseKeep("fc1=0.1,fc2=0.2,fc3=0.5"), Rounds = 2, // two rounds: the soft targets outlive a training run
            Retrain = TrainingRecipes.Retraining("lenet300") with { Epochs = 1, Distill = d },
        };
        float[] Fc1(Distillation? d) =>
            PruningRun.Run(trained.Checkpoint, data, Options(d)).Checkpoint.State["fc1.weight"].AsFloats();
        var plain = Fc1(null);
        var distilled = Fc1(new Distillation(0.5, 4));
        Assert.Equal(distilled, Fc1(new Distillation(0.5, 4))); // same seed, same result
        Assert.NotEqual(plain, distilled);
        // Both keep the recipe's share: distillation changes how the kept weights retrain, not how many are kept.
        Assert.Equal(plain.Count(v => v != 0), distilled.Count(v => v != 0));
    }

    private static PocketModule ModuleStateRestore(Checkpoint c) => ModuleState.Restore(c);

    private static double[] LogSoftmax(double[] z, double temperature)
    {
        double max = z.Max() / temperature;
        double log = Math.Log(z.Sum(v => Math.Exp(v / temperature - max))) + max;
        return z.Select(v => v / temperature - log).ToArray();
    }

    private static double[,] ToArray(Tensor t)
    {
        var flat = t.data<double>().ToArray();
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var a = new double[rows, cols];
        for (int i = 0; i < flat.Length; i++) a[i / cols, i % cols] = flat[i];
        return a;
    }
}
