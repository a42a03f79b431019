using Pocket.Training.Data;
using Pocket.Training.Models;
using static TorchSharp.torch;

namespace Pocket.Training.Training;

/// <summary>
/// A model's raw outputs (logits, or features) for every image of a dataset, one row of <see cref="Outputs"/> values
/// per image: what compression without data compares against, since it has no labels to count right answers with.
/// </summary>
public sealed record ModelOutputs(float[] Values, int Samples, int Outputs)
{
    public ReadOnlySpan<float> Row(int sample) => Values.AsSpan(sample * Outputs, Outputs);

    /// <summary>Runs <paramref name="model"/> in inference mode over <paramref name="data"/>, flattening each output.</summary>
    public static ModelOutputs Of(nn.Module<Tensor, Tensor> model, ImageDataset data, InputShape input, int batchSize = 1000)
    {
        TorchBackend.Ensure();
        model.eval();
        using var _ = no_grad();
        batchSize = Batches.InferenceSize(input, batchSize);
        var rows = new List<float[]>();
        int outputs = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            using var scope = NewDisposeScope();
            var y = model.forward(Batches.Images(data, start, n, input)).reshape(n, -1);
            outputs = (int)y.shape[1];
            rows.Add(y.contiguous().data<float>().ToArray());
        }
        return new ModelOutputs(rows.SelectMany(r => r).ToArray(), data.Count, outputs);
    }
}
