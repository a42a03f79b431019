namespace Pocket.Training.Data;

/// <summary>The class names of the bundled datasets, in label order (the IDX label byte is the index).</summary>
public static class DatasetLabels
{
    public static readonly IReadOnlyList<string> Mnist = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public static readonly IReadOnlyList<string> FashionMnist =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The names for a bundled dataset, or null for any other (a folder of IDX files carries no names).</summary>
    public static IReadOnlyList<string>? For(string dataset) => dataset.ToLowerInvariant() switch
    {
        "mnist" => Mnist,
        "fashion-mnist" => FashionMnist,
        _ => null,
    };
}
