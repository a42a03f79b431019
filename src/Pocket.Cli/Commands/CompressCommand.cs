using System.ComponentModel;
using Pocket.Cli.Output;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using Spectre.Console.Cli;

namespace Pocket.Cli.Commands;

/// <summary>`pocket compress --model M --out MODEL.pocket`: the whole Deep Compression pipeline with the paper's recipe.</summary>
public sealed class CompressCommand : Command<CompressCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--dataset <D>")]
        [Description("Default: the --from checkpoint's dataset, else mnist.")]
        public string? Dataset { get; init; }
        [CommandOption("--out <FILE>")] public string? Out { get; init; }

        [CommandOption("--from <CKPT>")]
        [Description("Start from this trained checkpoint instead of training.")]
        public string? From { get; init; }

        [CommandOption("--keep <SPEC>")] [Description("Override the recipe's kept fractions.")] public string? Keep { get; init; }
        [CommandOption("--bits <SPEC>")] [Description("Override the recipe's bits.")] public string? Bits { get; init; }
        [CommandOption("--rounds <N>")] public int? Rounds { get; init; }
        [CommandOption("--epochs <N>")] [Description("Training epochs (when not --from).")] public int? Epochs { get; init; }
        [CommandOption("--retrain-epochs <N>")] [Description("Retraining epochs per pruning round.")] public int? RetrainEpochs { get; init; }
        [CommandOption("--retrain-lr <LR>")] [Description("Learning rate of the pruning rounds' retraining.")] public double? RetrainLr { get; init; }
        [CommandOption("--schedule <S>")] [Description("How the kept fraction shrinks over the rounds: geometric or cubic.")] public string? Schedule { get; init; }
        [CommandOption("--finetune-epochs <N>")] [Description("Centroid fine-tuning epochs.")] public int? FineTuneEpochs { get; init; }
        [CommandOption("--finetune-lr <LR>")] [Description("Learning rate of centroid fine-tuning.")] public double? FineTuneLr { get; init; }
        [CommandOption("--index-bits <B>")] public int? IndexBits { get; init; }
        [CommandOption("--bias-bits <B>")] [Description("Override the recipe's bias codebook bits.")] public int? BiasBits { get; init; }
        [CommandOption("--batchnorm-bits <B>")] [Description("Override the recipe's BatchNorm scale/shift codebook bits.")] public int? BatchNormBits { get; init; }
        [CommandOption("--distill <W>")] [Description(CompressionArguments.DistillDescription)] public double? Distill { get; init; }
        [CommandOption("--temperature <T>")] [Description("Distillation temperature (default 4).")] public double? Temperature { get; init; }
        [CommandOption("--shift <N>")] [Description(TrainingArguments.ShiftDescription + " Every stage: training, pruning and fine-tuning.")] public int? Shift { get; init; }
        [CommandOption("--seed <S>")] public int Seed { get; init; } = 1;
        [CommandOption("--limit <N>")] public int? Limit { get; init; }
        [CommandOption("--resume")] [Description(ResumableOutput.ResumeDescription)] public bool Resume { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }

        [CommandOption("--no-data")]
        [Description("Compress --from a checkpoint without its training data: no retraining, keep and bits chosen by output change " +
            "on unlabelled test images (--fidelity-dataset), fidelity to the original reported instead of accuracy.")]
        public bool NoData { get; init; }

        [CommandOption("--min-cosine <C>")]
        [Description("With --no-data: the mean output cosine similarity to the original that the chosen keep and bits hold (default 0.99).")]
        public double? MinCosine { get; init; }

        [CommandOption("--fidelity-dataset <D>")]
        [Description("With --no-data: the images to choose on and measure fidelity on: a bundled dataset, an IDX folder or an image folder; only its " +
            "test split is read, labels unused for the choice (default: the checkpoint's dataset).")]
        public string? FidelityDataset { get; init; }

        [CommandOption("--fidelity-limit <N>")]
        [Description("With --no-data: use the first N test images (default 2000): the first half chooses keep and bits, the other half measures fidelity.")]
        public int? FidelityLimit { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        CompressOutput.Require(s.Out);
        if (s.NoData) return DataFreeCompress.Execute(s, cancellationToken);
        DataFreeCompress.RefuseItsFlags(s);
        var start = s.From is null ? null : Checkpoint.Load(s.From);
        var spec = start?.Model ?? s.ToSpec();
        var recipe = CompressionRecipe.For(spec.Name, s.Seed);
        var distill = CompressionArguments.Distill(s.Distill, s.Temperature);
        try
        {
            recipe = recipe with
            {
                Pruning = recipe.Pruning with
                {
                    Rule = s.Keep is null ? recipe.Pruning.Rule : PruningRule.ParseKeep(s.Keep),
                    Rounds = s.Rounds ?? recipe.Pruning.Rounds,
                    Schedule = s.Schedule is null ? recipe.Pruning.Schedule : CompressionArguments.Schedule(s.Schedule),
                    Retrain = recipe.Pruning.Retrain with
                    {
                        Epochs = s.RetrainEpochs ?? recipe.Pruning.Retrain.Epochs,
                        LearningRate = TrainingArguments.LearningRate("--retrain-lr", s.RetrainLr) ?? recipe.Pruning.Retrain.LearningRate,
                        Distill = s.Distill is null ? recipe.Pruning.Retrain.Distill : distill,
                        Shift = s.Shift ?? recipe.Pruning.Retrain.Shift,
                    },
                    TrainLimit = s.Limit,
                },
                Quantization = recipe.Quantization with
                {
                    Bits = s.Bits is null ? recipe.Quantization.Bits : BitWidths.Parse(s.Bits),
                    FineTune = recipe.Quantization.FineTune with
                    {
                        Epochs = s.FineTuneEpochs ?? recipe.Quantization.FineTune.Epochs,
                        LearningRate = TrainingArguments.LearningRate("--finetune-lr", s.FineTuneLr) ?? recipe.Quantization.FineTune.LearningRate,
                        Distill = s.Distill is null ? recipe.Quantization.FineTune.Distill : distill,
                        Shift = s.Shift ?? recipe.Quantization.FineTune.Shift,
                    },
                    TrainLimit = s.Limit,
                },
                Encoding = recipe.Encoding with { IndexBits = s.IndexBits, BiasBits = s.BiasBits ?? recipe.Encoding.BiasBits, BatchNormBits = s.BatchNormBits ?? recipe.Encoding.BatchNormBits },
            };
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (s.BiasBits is < 1 or > 16) throw new UsageException($"--bias-bits: {s.BiasBits} is not 1 to 16");
        if (s.BatchNormBits is < 1 or > 16) throw new UsageException($"--batchnorm-bits: {s.BatchNormBits} is not 1 to 16");
        var train = TrainingArguments.Apply(TrainingRecipes.For(spec), s.Epochs, null, null, null, null, s.Seed, s.Shift);
        if (start is not null) CompressionArguments.CheckKeepLayers(recipe.Pruning.Rule, () => ModuleState.Restore(start, s.From!));
        var data = start is null
            ? DatasetCatalog.Load(s.Dataset ?? "mnist")
            : DatasetArgument.Load(s.Dataset, start, s.From!);
        if (start is null)
            CompressionArguments.CheckKeepLayers(recipe.Pruning.Rule, () => ModelZoo.Create(spec,
                TrainingRecipes.InputFor(spec, data.Train.Channels, data.Train.Height, data.Train.Width), data.Train.Classes));

        string? reportIndex = null;
        var result = TrainingProgressView.Run($"compress {spec}", s.Json, report =>
            ResumableOutput.Run(s.Out, s.Resume,
                journal => CompressionPipeline.Run(spec, start, data, recipe, train, s.Out,
                    stage => { if (!s.Json) Terminal.Err.WriteLine($"== {stage}"); }, report, cancellationToken, journal),
                // The .pocket file and its report (MODEL.pocket → MODEL.report/index.html) are written only now, together.
                done => reportIndex = CompressOutput.Write(s.Out, done.File, done.Trained)));
        var r = result;
        if (s.Json)
        {
            Terminal.Json(new
            {
                model = spec.ToString(), dataset = data.Name, samples = r.DecodedTest.Samples,
                accuracy = Math.Round(r.DecodedTest.Accuracy, 6), error = Math.Round(r.DecodedTest.Error, 6),
                file_bytes = r.Report.FileBytes, dense_bytes = r.Report.DenseBytes, ratio = Math.Round(r.Report.CompressionRatio, 3),
                seconds = Math.Round(r.WallTime.TotalSeconds, 1),
                stages = r.Stages.Select(st => new { name = st.Name, error = Math.Round(st.TestError, 6), seconds = Math.Round(st.WallTime.TotalSeconds, 1) }),
                layers = CompressionTable.LayersJson(r.Report),
                report = reportIndex,
            });
            return 0;
        }
        Terminal.Out.Write(CompressionTable.Render(r.Report));
        foreach (var st in r.Stages) Terminal.Out.WriteLine($"{st.Name,-9} test error {st.TestError:P2}  ({st.WallTime.TotalSeconds:F1} s)");
        Terminal.Out.WriteLine($"wrote {s.Out}: {r.Report.FileBytes:N0} bytes, {r.Report.CompressionRatio:0.0}x smaller than dense float32; " +
            $"test error of the decoded file {r.DecodedTest.Error:P2}; {r.WallTime.TotalSeconds:F0} s in all");
        Terminal.Out.WriteLine($"report: {reportIndex}");
        return 0;
    }
}
