using Pocket.Training.Data;
using Pocket.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>Runs a model over a dataset in inference mode and counts correct predictions.</summary>
public static class Evaluator
{
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset data, InputShape input, int batchSize = 1000)
    {
        TorchBackend.Ensure();
        model.eval();
        using var _ = no_grad();
        batchSize = Batches.InferenceSize(input, batchSize);
        var predictions = new int[data.Count];
        int correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            using var scope = NewDisposeScope();
            var x = Batches.Images(data, start, n, input);
            var predicted = model.forward(x).argmax(1).data<long>().ToArray();
            for (int i = 0; i < n; i++)
            {
                predictions[start + i] = (int)predicted[i];
                if (predicted[i] == data.Labels[start + i]) correct++;
            }
        }
        return new Evaluation(data.Count, correct, predictions);
    }
}
