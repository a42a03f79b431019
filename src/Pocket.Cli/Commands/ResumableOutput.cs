using Pocket.Training.Checkpoints;
using Pocket.Training.Training;

namespace Pocket.Cli.Commands;

/// <summary>
/// The --out and --resume of a long run (train, prune, quantize, compress): progress goes to the journal beside
/// the output after every epoch (<see cref="RunJournal"/>), the output itself is written only once the run has
/// finished, and the journal is removed after that. A file the user already had at --out is untouched by a run
/// that fails or is killed.
/// </summary>
public static class ResumableOutput
{
    public const string ResumeDescription = "Continue the interrupted run with the same flags: progress is kept in OUT.resume/ after every epoch.";

    /// <summary>Runs <paramref name="work"/> with the output's journal, then writes the output and drops the journal.</summary>
    public static T Run<T>(string outPath, bool resume, Func<RunJournal, T> work, Action<T> writeOutput)
    {
        using var journal = RunJournal.Open(outPath, resume);
        T result;
        try
        {
            result = work(journal);
        }
        catch (TrainingDivergedException e)
        {
            journal.DeleteIfEmpty();
            throw new TrainingDivergedException(Directory.Exists(journal.Folder) ? $"{e.Message}; the last good epoch is kept in {journal.Folder}" : e.Message);
        }
        catch
        {
            journal.DeleteIfEmpty();
            throw;
        }
        writeOutput(result);
        journal.Delete();
        return result;
    }
}
