using System.Globalization;

namespace Pocket.Training.Models;

/// <summary>
/// A key a zoo model accepts in its <see cref="ModelSpec"/> (<c>--option KEY=VALUE</c>), with the value it takes when
/// absent. Each model lists its options in one place (its <c>Options</c>), reads them only through these definitions,
/// and <see cref="ModelZoo"/> refuses a key the model does not list, so a misspelt key is an error, not ignored.
/// </summary>
public sealed record ModelOption(string Key, ModelOption.ValueKind Kind, string Fallback, string Description)
{
    public enum ValueKind { Number, Integer, Choice }

    /// <summary>Input size (square), for every model: applied by the training recipe; 0 keeps the dataset's size.</summary>
    public static readonly ModelOption Resolution = new("resolution", ValueKind.Integer, "0", "input height and width (0: the dataset's)");

    /// <summary>For <see cref="ValueKind.Choice"/>: the values accepted.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    public double ReadNumber(ModelSpec spec) => double.Parse(Value(spec), NumberStyles.Float, CultureInfo.InvariantCulture);

    public int ReadInteger(ModelSpec spec) => int.Parse(Value(spec), NumberStyles.Integer, CultureInfo.InvariantCulture);

    public string ReadChoice(ModelSpec spec) => Value(spec).ToLowerInvariant();

    /// <summary>Why <paramref name="value"/> is not a valid value of this option, or null if it is.</summary>
    public string? Problem(string value) => Kind switch
    {
        ValueKind.Number when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d) => "is not a number",
        ValueKind.Integer when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => "is not an integer",
        ValueKind.Choice when !Choices.Contains(value.ToLowerInvariant()) => $"is not {string.Join(", ", Choices.SkipLast(1))} or {Choices[^1]}",
        _ => null,
    };

    private string Value(ModelSpec spec)
    {
        string value = spec.Options.TryGetValue(Key, out var v) ? v : Fallback;
        if (Problem(value) is { } problem) throw new ArgumentException($"{spec.Name} option {Key}='{value}' {problem}");
        return value;
    }
}
