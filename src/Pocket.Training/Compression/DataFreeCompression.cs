using System.Diagnostics;
using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>
/// Deep Compression for a model whose training data cannot be had: magnitude pruning and k-means weight sharing with
/// no retraining at all (the same <see cref="PruningRun"/> and <see cref="QuantizationRun"/> as the pipeline, at zero
/// epochs), per-layer keep and bits chosen by <see cref="OutputSensitivity"/> on unlabelled calibration images, the
/// same encoder, and the file judged by fidelity — its outputs, decoded from the bytes, against the original's on
/// held-out images — since without labels there is no accuracy to report. Where the images do carry labels, the
/// accuracy of both is reported beside it. The caller writes <see cref="Result.File"/>.
/// </summary>
public static class DataFreeCompression
{
    /// <param name="Fidelity">The decoded file against the original on the held-out images: the headline.</param>
    /// <param name="Calibration">The same on the calibration images the choice was made on (≥ the floor by construction).</param>
    /// <param name="OriginalTest">The original's accuracy on the held-out images, against their labels.</param>
    /// <param name="FileTest">The decoded file's accuracy on the held-out images.</param>
    public sealed record Result(
        byte[] File, PocketFileReport Report, PruningRule Keep, BitWidths Bits,
        IReadOnlyList<OutputSensitivity.LayerChoice>? KeepChoices, IReadOnlyList<OutputSensitivity.LayerChoice>? BitsChoices,
        IReadOnlyList<LayerSparsity> Sparsity, OutputFidelity Fidelity, OutputFidelity Calibration,
        Evaluation OriginalTest, Evaluation FileTest, TimeSpan WallTime);

    /// <param name="calibration">Images the keep and bits are chosen on (labels unused).</param>
    /// <param name="heldOut">Other images the file's fidelity is measured on (labels only for the accuracy beside it).</param>
    /// <param name="fileName">Names the encoded file in error messages.</param>
    public static Result Run(Checkpoint original, ImageDataset calibration, ImageDataset heldOut, DataFreeOptions options,
        string fileName, Action<string>? stageStarted = null)
    {
        var clock = Stopwatch.StartNew();
        ModelOutputs calibrationReference, heldOutReference;
        Evaluation originalTest;
        using (var model = ModuleState.Restore(original))
        {
            // A --keep or --bits naming no layer is refused before any work, not after the first stages have run.
            var layers = model.CompressibleWeights().Select(w => PocketModule.LayerName(w.Name)).ToList();
            (options.Keep as PruningRule.PerLayer)?.CheckLayers(layers);
            options.Bits?.CheckLayers(layers);
            calibrationReference = ModelOutputs.Of(model, calibration, model.InputShape);
            heldOutReference = ModelOutputs.Of(model, heldOut, model.InputShape);
            originalTest = Evaluator.Evaluate(model, heldOut, model.InputShape);
        }
        // Zero epochs: no gradient step is taken, so the runs read no training image; the split gives them none.
        var noTraining = new DatasetSplit(calibration.Name, calibration.Take(0), calibration);
        var still = TrainingRecipes.Retraining(original.Model.Name) with { Epochs = 0, Seed = options.Seed, Distill = null };

        stageStarted?.Invoke("choose kept fractions");
        IReadOnlyList<OutputSensitivity.LayerChoice>? keepChoices = null;
        PruningRule keep;
        if (options.Keep is { } given) keep = given;
        else (keep, keepChoices) = OutputSensitivity.ChooseKeep(original, calibration, calibrationReference, options.PruningFloor);

        stageStarted?.Invoke("prune");
        var pruned = PruningRun.Run(original, noTraining, new PruningOptions { Rule = keep, Rounds = 1, Retrain = still });

        stageStarted?.Invoke("choose bits");
        IReadOnlyList<OutputSensitivity.LayerChoice>? bitsChoices = null;
        BitWidths bits;
        if (options.Bits is { } b) bits = b;
        else (bits, bitsChoices) = OutputSensitivity.ChooseBits(pruned.Checkpoint, calibration, calibrationReference,
            options.MinCosine, options.Initialization, options.Seed);

        stageStarted?.Invoke("quantize");
        // Every layer may have missed the floor even at 8 bits: then the file keeps them float32, pruned.
        var compressed = bits.ByKey.Count == 0 ? pruned.Checkpoint
            : QuantizationRun.Run(pruned.Checkpoint, noTraining,
                new QuantizationOptions { Bits = bits, Initialization = options.Initialization, FineTune = still with { WeightDecay = 0 } }).Checkpoint;
        // The runs measured "test error" on the calibration images' labels, which a data-free run does not have.
        compressed.Metadata.Remove("test_error");
        compressed.Metadata["stage"] = "data-free";

        stageStarted?.Invoke("encode");
        byte[] file = PocketFile.Encode(PocketEncoder.Encode(compressed, options.Encoding), options.Encoding.Write);
        var report = PocketFile.Inspect(file, fileName);
        // The figures that count are the file's: its bytes read back, decoded and run.
        var decoded = PocketDecoder.ToCheckpoint(PocketFile.Decode(file, fileName), fileName);
        using var network = ModuleState.Restore(decoded, fileName);
        var fidelity = OutputFidelity.Compare(heldOutReference, ModelOutputs.Of(network, heldOut, decoded.Input));
        var calibrationFidelity = OutputFidelity.Compare(calibrationReference, ModelOutputs.Of(network, calibration, decoded.Input));
        var fileTest = Evaluator.Evaluate(network, heldOut, decoded.Input);
        return new Result(file, report, keep, bits, keepChoices, bitsChoices, pruned.Layers, fidelity, calibrationFidelity,
            originalTest, fileTest, clock.Elapsed);
    }
}
