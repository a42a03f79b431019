using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Compression;

[Collection(TorchRandomness.Collection)]
public class EncodingTests
{
    [Fact]
    public void A_compressed_checkpoint_survives_the_file_bit_for_bit_and_evaluates_the_same()
    {
        var data = TestData.MnistSlice(1000, 500);
        var trained = TrainingRun.Run(new ModelSpec("lenet5"), data, TrainingRecipes.For("lenet5") with { Epochs = 1, EvaluateEachEpoch = false });
        var pruned = PruningRun.Run(trained.Checkpoint, data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep("conv1=0.7,conv2=0.2,fc1=0.1,fc2=0.2"), Rounds = 1, Retrain = TrainingRecipes.Retraining("lenet5") with { Epochs = 0 },
        });
        var quantized = QuantizationRun.Run(pruned.Checkpoint, data, new QuantizationOptions
        {
            Bits = BitWidths.Parse("conv=8,fc=5"), FineTune = TrainingRecipes.Retraining("lenet5") with { Epochs = 0 },
        });
        string path = TestData.TempFile(".pocket");
        PocketFile.Write(path, PocketEncoder.Encode(quantized.Checkpoint));
        var decoded = PocketDecoder.ToCheckpoint(PocketFile.Read(path), path);
        foreach (var (name, t) in quantized.Checkpoint.State.Where(kv => kv.Value.DType == "f32"))
            Assert.Equal(t.AsFloats(), decoded.State[name].AsFloats()); // value-equal: a pruned −0.0 decodes as +0.0
        using var model = ModuleState.Restore(decoded);
        Assert.Equal(quantized.Test.Predictions, Evaluator.Evaluate(model, data.Test, decoded.Input).Predictions);
        var report = PocketFile.Inspect(path);
        Assert.Equal(TensorEncoding.SparseQuantized, report.Tensors.Single(t => t.Name == "fc1.weight").Encoding);
        Assert.Equal(TensorEncoding.Dense, report.Tensors.Single(t => t.Name == "fc1.bias").Encoding);
        Assert.Equal(431_080 * 4, report.DenseBytes);
        Assert.True(report.FileBytes * 10 < report.DenseBytes, $"{report.FileBytes} bytes");
    }
}
