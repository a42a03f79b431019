using System.Diagnostics;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>
/// Deep Compression end to end (Han, Mao, Dally 2016): train (or start from a checkpoint), prune with masked
/// retraining, quantize with centroid fine-tuning, encode with relative indices and Huffman coding, and measure the
/// test error of the encoded file as decoded. The caller writes <see cref="Result.File"/> — exactly the bytes that were
/// evaluated — once everything it does with them has succeeded, so a failure never replaces a file already there.
/// </summary>
public static class CompressionPipeline
{
    public sealed record Stage(string Name, double TestError, TimeSpan WallTime);

    /// <param name="File">The .pocket file's bytes, not yet written anywhere.</param>
    /// <param name="Trained">The dense checkpoint compression started from (trained here or given), for before/after reports.</param>
    public sealed record Result(
        byte[] File, PocketFileReport Report, Evaluation DecodedTest, IReadOnlyList<Stage> Stages, IReadOnlyList<LayerSparsity> Sparsity,
        TimeSpan WallTime, Checkpoint Trained);

    /// <param name="fileName">Names the encoded file in error messages (the path it will be written to).</param>
    /// <param name="journal">
    /// If set, each stage keeps its progress there (see <see cref="RunJournal"/>); a resumed run takes the stages
    /// already finished as they are and continues the one that was interrupted.
    /// </param>
    public static Result Run(ModelSpec spec, Checkpoint? start, DatasetSplit data, CompressionRecipe recipe, TrainingOptions trainOptions,
        string fileName, Action<string>? stageStarted = null, Action<TrainingProgress>? progress = null, CancellationToken cancel = default,
        RunJournal? journal = null)
    {
        var clock = Stopwatch.StartNew();
        var stages = new List<Stage>();
        Checkpoint trained;
        if (start is null)
        {
            stageStarted?.Invoke("train");
            var t = TrainingRun.Run(spec, data, trainOptions, recipe.Pruning.TrainLimit, progress, cancel, journal);
            trained = t.Checkpoint;
            stages.Add(new Stage("train", t.Test.Error, t.WallTime));
        }
        else
        {
            trained = start;
        }

        stageStarted?.Invoke("prune");
        var pruned = PruningRun.Run(trained, data, recipe.Pruning, progress, null, cancel, journal);
        stages.Add(new Stage("prune", pruned.Test.Error, pruned.WallTime));

        stageStarted?.Invoke("quantize");
        var quantized = QuantizationRun.Run(pruned.Checkpoint, data, recipe.Quantization, progress, cancel, journal);
        stages.Add(new Stage("quantize", quantized.Test.Error, quantized.WallTime));

        stageStarted?.Invoke("encode");
        var encodeClock = Stopwatch.StartNew();
        var model = PocketEncoder.Encode(quantized.Checkpoint, recipe.Encoding);
        byte[] file = PocketFile.Encode(model, recipe.Encoding.Write);
        var report = PocketFile.Inspect(file, fileName);
        // The figure that counts: the file's bytes, read back by the reader, decoded, evaluated.
        var decoded = PocketDecoder.ToCheckpoint(PocketFile.Decode(file, fileName), fileName);
        using var network = ModuleState.Restore(decoded, fileName);
        var evaluation = Evaluator.Evaluate(network, data.Test, decoded.Input);
        stages.Add(new Stage("encode", evaluation.Error, encodeClock.Elapsed));
        return new Result(file, report, evaluation, stages, pruned.Layers, clock.Elapsed, trained);
    }
}
