using Pocket.Training.Checkpoints;
using Pocket.Training.Data;
using Pocket.Training.Training;
using Spectre.Console.Cli;

namespace Pocket.Cli;

/// <summary>
/// Maps failures to one line on stderr and an exit code: 2 for a bad command line, 1 for bad input or a failed
/// run. Known failures print their own message; anything else prints its type and message, never a stack trace
/// (unless a developer sets POCKET_DEBUG_STACK=1, which prints the exception in full before the line).
/// </summary>
public static class CliErrors
{
    public const int BadInput = 1;
    public const int BadUsage = 2;

    public static int Report(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        (string message, int code) = e switch
        {
            CommandParseException or CommandRuntimeException or UsageException => (e.Message, BadUsage),
            Pocket.Format.PocketFormatException or Pocket.Runtime.PocketRuntimeException or IdxFormatException or ImageFolderException or Pocket.Runtime.Input.PreprocessingException or CheckpointException or TrainingDivergedException or InputException => (e.Message, BadInput),
            FileNotFoundException f => ($"{f.FileName ?? "file"}: file not found", BadInput),
            DirectoryNotFoundException or UnauthorizedAccessException or IOException => (e.Message, BadInput),
            OperationCanceledException => ("cancelled", BadInput),
            _ when e.GetType().FullName?.StartsWith("Pocket.", StringComparison.Ordinal) == true => (e.Message, BadInput),
            _ => ($"{e.GetType().Name}: {e.Message}", BadInput),
        };
        if (Environment.GetEnvironmentVariable("POCKET_DEBUG_STACK") == "1") Console.Error.WriteLine(e);
        Console.Error.WriteLine($"pocket: {OneLine(message)}");
        return code;
    }

    private static string OneLine(string text)
    {
        // libtorch appends its C++ stack to the message ("Exception raised from … frame #0 …"): keep the sentence.
        int native = text.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (native > 0) text = text[..native];
        text = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return text.Length <= 400 ? text : text[..400] + "…";
    }
}

/// <summary>A command-line value that makes no sense (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>An input file or value that cannot be used (exit code 1).</summary>
public sealed class InputException(string message) : Exception(message);
