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
            config.AddCommand<TrainCommand>("train").WithDescription("Train a model of the zoo and write a checkpoint.");
            config.AddCommand<EvalCommand>("eval").WithDescription("Test accuracy of a checkpoint or .pocket file.");
            config.AddCommand<SummaryCommand>("summary").WithDescription("Per-layer shapes, parameters and mult-adds of a zoo model.");
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
