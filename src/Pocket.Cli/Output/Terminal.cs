using Spectre.Console;

namespace Pocket.Cli.Output;

/// <summary>
/// Where the CLI writes. Tables and results go to stdout; progress goes to stderr so that `--json` output on
/// stdout stays exactly one JSON object.
/// </summary>
public static class Terminal
{
    public static readonly IAnsiConsole Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
    public static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Writes exactly one line of JSON to stdout.</summary>
    public static void Json(object value) => Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, JsonOptions));

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };
}
