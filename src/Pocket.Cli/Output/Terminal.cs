using Spectre.Console;

namespace Pocket.Cli.Output;

/// <summary>
/// Where the CLI writes. Tables and results go to stdout; progress goes to stderr so that `--json` output on
/// stdout stays exactly one JSON object.
/// </summary>
public static class Terminal
{
    public static readonly IAnsiConsole Out = Wide(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }), Console.IsOutputRedirected);
    public static readonly IAnsiConsole Err = Wide(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), Console.IsErrorRedirected);

    /// <summary>Redirected output has no terminal width; tables are wide, so give them room rather than wrap every cell
    /// (and a log of progress lines gets one line per epoch, not a line broken at 80 columns).</summary>
    private static IAnsiConsole Wide(IAnsiConsole console, bool redirected)
    {
        if (redirected) console.Profile.Width = 200;
        return console;
    }

    /// <summary>Writes exactly one line of JSON to stdout.</summary>
    public static void Json(object value) => Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, JsonOptions));

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };
}
