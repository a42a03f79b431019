using Pocket.Cli.Commands;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Cli.Tests;

/// <summary>
/// Every model of the zoo, exported to a .pocket file, runs in Pocket.Runtime with the logits TorchSharp computes
/// for the same weights in float64 (1e-4 relative), BatchNorm statistics included; and on real data, the runtime's
/// predictions equal `pocket eval`'s sample for sample. The reference is float64 because libtorch's float32 conv
/// (oneDNN) is wrong on some CPUs; `pocket eval` itself runs float32 on the path TorchBackend checked.
/// </summary>
[Collection("torch seed")]
public class ZooRuntimeParityTests
{
    public static TheoryData<string, string, string> Models => new()
    {
        { "lenet300", "", "1x28x28" },
        { "lenet5", "", "1x28x28" },
        { "squeezenet1_0", "bypass=complex", "1x32x32" },
        { "squeezenet1_1", "bypass=simple", "3x32x32" },
        { "mobilenet_v1", "alpha=0.25,resolution=32", "1x32x32" },
        { "sepnet", "width=0.5,resolution=32", "1x32x32" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Runtime_logits_match_TorchSharp(string name, string options, string input)
    {
        torch.manual_seed(5);
        var spec = new ModelSpec(name, options.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]));
        var shape = InputShape.Parse(input);
        using var model = ModelZoo.Create(spec, shape, 10);
        using (no_grad())
        {
            // Non-trivial BatchNorm statistics, so folding them into the convolutions is really tested.
            foreach (var (key, buffer) in model.named_buffers())
            {
                if (key.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer) * 0.1);
                if (key.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer) + 0.5);
            }
        }
        model.eval();
        var checkpoint = ModuleState.Capture(model, "mnist");
        var network = PocketNetwork.Load(PocketFile.Decode(PocketFile.Encode(PocketEncoder.Encode(checkpoint))));

        const int batch = 3;
        using var x = randn(batch, shape.Channels, shape.Height, shape.Width);
        double[] expected;
        model.to(ScalarType.Float64);
        using (no_grad()) expected = model.forward(x.to(ScalarType.Float64)).data<double>().ToArray();
        var actual = new float[batch * network.OutputLength];
        network.Predict(x.data<float>().ToArray(), batch, actual);

        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, scale), $"{name}: logit {i}: torch (float64) {expected[i]}, runtime {actual[i]}");
    }

    [Fact]
    public void Runtime_predictions_equal_eval_sample_for_sample()
    {
        var file = CompressedModels.LeNet5.PocketPath;
        var test = DatasetCatalog.Load("mnist").Test.Take(2000);
        var decoded = PocketDecoder.LoadAny(file);
        using var module = ModuleState.Restore(decoded);
        var torchSide = Evaluator.Evaluate(module, test, decoded.Input);
        var runtimeSide = RuntimeEvaluator.Evaluate(PocketNetwork.Load(file), test);
        Assert.Equal(torchSide.Predictions, runtimeSide.Predictions);
    }
}
