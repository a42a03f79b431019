using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Training;
using static TorchSharp.torch;

namespace Pocket.Bench.Binarization;

/// <summary>
/// TorchSharp's logits on a (binarized) checkpoint against Pocket.Runtime's on the same checkpoint encoded as .pocket
/// (binary filters run by the add/subtract kernel), over the first test images: the largest deviation relative to
/// |expected| + the batch's RMS (the runtime tests' measure), and whether the predicted classes agree.
/// </summary>
public static class CheckpointParity
{
    public static void Run(string checkpointPath, int images)
    {
        var checkpoint = Checkpoint.Load(checkpointPath);
        var test = DatasetCatalog.Load(checkpoint.Dataset).Test.Take(images);
        using var model = ModuleState.Restore(checkpoint);
        model.eval();
        float[] input, expected;
        using (no_grad())
        using (var x = Batches.Images(test, 0, test.Count, checkpoint.Input))
        using (var logits = model.forward(x))
        {
            input = x.data<float>().ToArray();
            expected = logits.data<float>().ToArray();
        }
        var pocket = PocketFile.Decode(PocketFile.Encode(PocketEncoder.Encode(checkpoint)));
        var network = PocketNetwork.Load(pocket);
        var actual = new float[expected.Length];
        network.Predict(input, test.Count, actual);

        double rms = Math.Sqrt(expected.Average(v => (double)v * v)), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / (Math.Abs(expected[i]) + rms));
        int classes = expected.Length / test.Count, agree = 0;
        for (int s = 0; s < test.Count; s++)
            if (ArgMax(expected.AsSpan(s * classes, classes)) == ArgMax(actual.AsSpan(s * classes, classes))) agree++;
        int binaryLayers = pocket.Tensors.Values.Count(t => t is BinaryTensor);
        int binaryKernels = network.DescribeLayers().Count(l => l.Contains("binary-conv"));
        Console.WriteLine($"{checkpointPath}: {binaryLayers} binary tensors, {binaryKernels} binary-conv kernels; {test.Count} images: " +
            $"max relative deviation {worst:E2}, same class for {agree}/{test.Count}");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
