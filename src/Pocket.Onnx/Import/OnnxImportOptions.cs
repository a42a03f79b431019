namespace Pocket.Onnx;

/// <summary>What an ONNX file may not say about itself.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>Channels × height × width of one input sample, for inputs with symbolic sizes (checked against
    /// the fixed sizes the file does declare). Null: the file must declare them.</summary>
    public (int Channels, int Height, int Width)? InputShape { get; init; }

    /// <summary>Class names, one per output; stored under the "labels" metadata key, one per line.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
}
