using Pocket.Training.Training;
using Spectre.Console;

namespace Pocket.Cli.Output;

/// <summary>
/// Shows a long run on stderr: a Spectre progress bar with epoch, loss, accuracy and ETA when stderr is a
/// terminal; one plain line per epoch otherwise (logs, CI, `--json`).
/// </summary>
public static class TrainingProgressView
{
    /// <summary>Runs <paramref name="work"/>, showing the progress it reports, and returns its result.</summary>
    public static T Run<T>(string title, bool quiet, Func<Action<TrainingProgress>, T> work)
    {
        T result = default!;
        Show(title, quiet, report => { result = work(report); });
        return result;
    }

    private static void Show(string title, bool quiet, Action<Action<TrainingProgress>> work)
    {
        if (quiet)
        {
            work(_ => { });
            return;
        }
        if (!Terminal.Err.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            work(p =>
            {
                if (p.EpochEnd) Terminal.Err.WriteLine(Describe(title, p));
            });
            return;
        }
        Terminal.Err.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                work(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape(Describe(title, p));
                });
                task.Value = 1.0;
            });
    }

    private static string Describe(string title, TrainingProgress p)
    {
        string accuracy = p.TestAccuracy is double a ? $" test acc {a:P2}" : "";
        return $"{title} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4}{accuracy} eta {p.Eta:mm\\:ss}";
    }
}
