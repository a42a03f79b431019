using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

// Usage: Pocket.SparseModelGen OUT.pocket MODEL[:alpha=A] CxHxW KEEP BITS
//   e.g. Pocket.SparseModelGen /tmp/m.pocket mobilenet_v1:alpha=1.0 3x224x224 conv=0.35,fc=0.1 conv=8,fc=5
// A zoo model freshly initialised from torch seed 1 (as `pocket bench --model` makes it), magnitude-pruned to KEEP in
// one round and k-means quantized to BITS with no retraining or fine-tuning (the data-free pipeline's zero-epoch runs),
// then encoded: the sparsity and codebooks the runtime sees are the compress recipe's, the accuracy is meaningless.
// The CLI cannot do this without a dataset and a checkpoint (`pocket prune`/`quantize` read both), hence this tool.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Pocket.SparseModelGen OUT.pocket MODEL[:key=value,...] CxHxW KEEP BITS");
    return 2;
}
try
{
    string[] nameAndOptions = args[1].Split(':', 2);
    var options = nameAndOptions.Length == 1 ? new Dictionary<string, string>()
        : nameAndOptions[1].Split(',').Select(o => o.Split('=', 2)).ToDictionary(o => o[0], o => o.Length == 2 ? o[1] : throw new ArgumentException($"option '{o[0]}' is not key=value"));
    var input = InputShape.Parse(args[2]);
    var keep = PruningRule.ParseKeep(args[3]);
    var bits = BitWidths.Parse(args[4]);

    Checkpoint dense = RandomZooCheckpoint.Capture(new ModelSpec(nameAndOptions[0], options), input, 1000, seed: 1);

    // One random image: the zero-epoch runs still evaluate on their test split; no gradient step reads it.
    var rng = new Random(1);
    var pixels = new float[input.Channels * input.Height * input.Width];
    for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextDouble();
    var images = new ImageDataset("random", pixels, [0], input.Channels, input.Height, input.Width, 1000);
    var noTraining = new DatasetSplit("random", images.Take(0), images);
    var still = TrainingRecipes.Retraining(nameAndOptions[0]) with { Epochs = 0, Distill = null };

    var pruned = PruningRun.Run(dense, noTraining, new PruningOptions { Rule = keep, Rounds = 1, Retrain = still });
    var quantized = QuantizationRun.Run(pruned.Checkpoint, noTraining,
        new QuantizationOptions { Bits = bits, FineTune = still with { WeightDecay = 0 } }).Checkpoint;
    PocketFile.Write(args[0], PocketEncoder.Encode(quantized));
    foreach (var layer in pruned.Layers) Console.WriteLine($"{layer.Layer} kept {layer.KeptFraction:P1}");
    Console.WriteLine($"{args[0]}: {new FileInfo(args[0]).Length:N0} bytes");
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
