using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;

namespace Pocket.Cli.Commands;

/// <summary>
/// `pocket compress --from X.ckpt --no-data --out X.pocket`: <see cref="DataFreeCompression"/> from the command line.
/// Only a dataset's test split is read, and only as unlabelled inputs to compare outputs on; every flag that would
/// train is refused in one line, so the user knows no training happened.
/// </summary>
public static class DataFreeCompress
{
    public const int DefaultFidelityLimit = 2000;

    public static int Execute(CompressCommand.Settings s, CancellationToken cancel)
    {
        if (s.From is null) throw new UsageException("--no-data: needs --from CKPT, the trained model to compress");
        var training = new (string Flag, bool Given)[]
        {
            ("--dataset", s.Dataset is not null), ("--epochs", s.Epochs is not null), ("--rounds", s.Rounds is not null),
            ("--retrain-epochs", s.RetrainEpochs is not null), ("--retrain-lr", s.RetrainLr is not null),
            ("--schedule", s.Schedule is not null), ("--finetune-epochs", s.FineTuneEpochs is not null),
            ("--finetune-lr", s.FineTuneLr is not null), ("--distill", s.Distill is not null),
            ("--temperature", s.Temperature is not null), ("--shift", s.Shift is not null), ("--limit", s.Limit is not null),
            ("--resume", s.Resume),
        };
        if (training.FirstOrDefault(f => f.Given).Flag is { } flag)
            throw new UsageException($"{flag}: not with --no-data, which compresses without training data or retraining" +
                (flag == "--dataset" ? " (give the unlabelled images as --fidelity-dataset)" : ""));
        double minCosine = s.MinCosine ?? DataFreeOptions.DefaultMinCosine;
        if (!(minCosine > 0 && minCosine <= 1)) throw new UsageException($"--min-cosine: {minCosine} is not in (0, 1]");
        int limit = s.FidelityLimit ?? DefaultFidelityLimit;
        if (limit < 2) throw new UsageException($"--fidelity-limit: {limit} images cannot be split into a half to choose on and a half to measure on");
        if (s.BiasBits is < 1 or > 16) throw new UsageException($"--bias-bits: {s.BiasBits} is not 1 to 16");
        DataFreeOptions options;
        try
        {
            options = new DataFreeOptions
            {
                MinCosine = minCosine,
                Keep = s.Keep is null ? null : PruningRule.ParseKeep(s.Keep),
                Bits = s.Bits is null ? null : BitWidths.Parse(s.Bits),
                Seed = s.Seed,
                Encoding = new PocketEncoder.Options(IndexBits: s.IndexBits, BiasBits: s.BiasBits),
            };
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }

        var original = Checkpoint.Load(s.From);
        string? dataset = !string.IsNullOrEmpty(s.FidelityDataset) ? s.FidelityDataset : !string.IsNullOrEmpty(original.Dataset) ? original.Dataset : null;
        if (dataset is null) throw new UsageException($"--fidelity-dataset: required, {s.From} names no dataset (it was imported without --dataset)");
        // The images reach the model through its stored preprocessing (an image folder is resized to its input as read).
        var images = DatasetCatalog.LoadTest(dataset, original.Input, CheckpointPreprocessing.Of(original, s.From), limit);
        if (DatasetFit.InputProblem(original.Input, images, dataset) is { } problem) throw new InputException($"{s.From}: {problem}");
        if (images.Count < 2) throw new InputException($"{dataset}: {images.Count} test image, too few to choose on and measure on");
        var calibration = images.Take(images.Count / 2);
        var heldOut = images.Slice(calibration.Count, images.Count - calibration.Count);

        DataFreeCompression.Result? result = null;
        string? reportIndex = null;
        try
        {
            ResumableOutput.Run(s.Out!, resume: false,
                _ => DataFreeCompression.Run(original, calibration, heldOut, options, s.Out!, stage =>
                {
                    cancel.ThrowIfCancellationRequested();
                    if (!s.Json) Terminal.Err.WriteLine($"== {stage}");
                }),
                done => { result = done; reportIndex = CompressOutput.Write(s.Out!, done.File, original); });
        }
        // A --keep or --bits naming no layer of the model, found once the model is built (its message names the flag).
        catch (ArgumentException e) when (e.Message.StartsWith("--", StringComparison.Ordinal)) { throw new UsageException(e.Message); }
        // A feature extractor (512 features, not one output per class) has no accuracy on the labels: fidelity alone.
        bool classifier = original.Classes == images.Classes;
        Print(s, result!, original.Model.ToString(), dataset, calibration.Count, reportIndex!, classifier);
        return 0;
    }

    /// <summary>The data-free flags make no sense without --no-data: one line rather than silently ignoring them.</summary>
    public static void RefuseItsFlags(CompressCommand.Settings s)
    {
        string? flag = s.MinCosine is not null ? "--min-cosine" : s.FidelityDataset is not null ? "--fidelity-dataset"
            : s.FidelityLimit is not null ? "--fidelity-limit" : null;
        if (flag is not null) throw new UsageException($"{flag}: only with --no-data");
    }

    private static void Print(CompressCommand.Settings s, DataFreeCompression.Result r, string model, string dataset, int calibrationImages, string reportIndex, bool classifier)
    {
        var f = r.Fidelity;
        if (s.Json)
        {
            Terminal.Json(new
            {
                model, data_free = true, fidelity_dataset = dataset,
                calibration_samples = calibrationImages, samples = f.Samples,
                fidelity = new
                {
                    top1_agreement = Math.Round(f.Top1Agreement, 6), mean_cosine = Math.Round(f.MeanCosine, 6), min_cosine = Math.Round(f.MinCosine, 6),
                },
                calibration_fidelity = new
                {
                    top1_agreement = Math.Round(r.Calibration.Top1Agreement, 6), mean_cosine = Math.Round(r.Calibration.MeanCosine, 6),
                    min_cosine = Math.Round(r.Calibration.MinCosine, 6),
                },
                min_cosine_floor = s.MinCosine ?? DataFreeOptions.DefaultMinCosine,
                accuracy_before = classifier ? Math.Round(r.OriginalTest.Accuracy, 6) : (double?)null,
                accuracy = classifier ? Math.Round(r.FileTest.Accuracy, 6) : (double?)null,
                keep = r.Keep.ToString(), bits = r.Bits.ToString(),
                file_bytes = r.Report.FileBytes, dense_bytes = r.Report.DenseBytes, ratio = Math.Round(r.Report.CompressionRatio, 3),
                seconds = Math.Round(r.WallTime.TotalSeconds, 1),
                layers = CompressionTable.LayersJson(r.Report),
                report = reportIndex,
            });
            return;
        }
        Terminal.Out.Write(CompressionTable.Render(r.Report));
        foreach (var c in r.KeepChoices ?? []) Terminal.Out.WriteLine($"keep {c.Layer,-12} {c.Value:0.###}  mean cosine {c.MeanCosine:F4}");
        foreach (var c in r.BitsChoices ?? [])
            Terminal.Out.WriteLine($"bits {c.Layer,-12} {(c.Value is double b ? $"{b:0}" : "float32")}  mean cosine {c.MeanCosine:F4}");
        Terminal.Out.WriteLine($"wrote {s.Out}: {r.Report.FileBytes:N0} bytes, {r.Report.CompressionRatio:0.0}x smaller than dense float32, no retraining; " +
            $"{r.WallTime.TotalSeconds:F0} s");
        Terminal.Out.WriteLine($"fidelity of the decoded file to the original on {f.Samples} held-out {dataset} test images: " +
            $"top-1 agreement {f.Top1Agreement:P2}, mean cosine {f.MeanCosine:F4} (min {f.MinCosine:F4})");
        if (classifier)
            Terminal.Out.WriteLine($"accuracy on their labels (not used to compress): {r.OriginalTest.Accuracy:P2} before, {r.FileTest.Accuracy:P2} after");
        Terminal.Out.WriteLine($"report: {reportIndex}");
    }
}
