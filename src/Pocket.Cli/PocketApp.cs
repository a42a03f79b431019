using Pocket.Cli.Commands;
using Spectre.Console.Cli;

namespace Pocket.Cli;

/// <summary>The `pocket` command: registers the subcommands and turns every failure into one line and an exit code.</summary>
public static class PocketApp
{
    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("pocket");
            config.PropagateExceptions();
            // An option no command defines is an error (exit 2), not silently collected as a remaining argument.
            config.UseStrictParsing();
            config.AddCommand<TrainCommand>("train").WithDescription("Train a model of the zoo and write a checkpoint.");
            config.AddCommand<EvalCommand>("eval").WithDescription("Test accuracy of a checkpoint or .pocket file.");
            config.AddCommand<SummaryCommand>("summary").WithDescription("Per-layer shapes, parameters and mult-adds of a zoo model.");
            config.AddCommand<SensitivityCommand>("sensitivity").WithDescription("Accuracy of each layer pruned alone.");
            config.AddCommand<PruneCommand>("prune").WithDescription("Magnitude pruning with masked retraining.");
            config.AddCommand<QuantizeCommand>("quantize").WithDescription("Trained quantization: k-means weight sharing, centroid fine-tuning.");
            config.AddCommand<BinarizeCommand>("binarize").WithDescription("SEP-Net pattern binarization of k×k convs (α·sign(W) per filter), with fine-tuning.");
            config.AddCommand<EncodeCommand>("encode").WithDescription("Write a checkpoint as a .pocket file.");
            config.AddCommand<CompressCommand>("compress").WithDescription("Train, prune, quantize and encode in one go.");
            config.AddCommand<InspectCommand>("inspect").WithDescription("Per-layer compression table of a .pocket file.");
            config.AddCommand<ParetoCommand>("pareto").WithDescription("Size against test error of several .pocket files: table and plot, Pareto front marked.");
            config.AddCommand<ReportCommand>("report").WithDescription("HTML report with plots of each compression stage per layer.");
            config.AddCommand<RunCommand>("run").WithDescription("Test accuracy with Pocket.Runtime (no TorchSharp).");
            config.AddCommand<PredictCommand>("predict").WithDescription("Classify a PNG or JPEG image with Pocket.Runtime (top-5 classes).");
            config.AddCommand<BenchCommand>("bench").WithDescription("Latency of Pocket.Runtime vs ONNX Runtime on the dense export, one thread.");
            config.AddCommand<ImportCommand>("import").WithDescription("Import an ONNX model trained elsewhere as a float32 .pocket file.");
            config.AddCommand<ExportOnnxCommand>("export-onnx").WithDescription("Write a .pocket file or checkpoint as ONNX with dense weights.");
        });
        try
        {
            return app.Run(args);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e);
        }
    }
}
