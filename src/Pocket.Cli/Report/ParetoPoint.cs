namespace Pocket.Cli.Report;

/// <summary>
/// One compressed file on a size–error plane: its bytes on disk, the dense float32 bytes of the same model, and the
/// test error of the file as decoded from disk. <see cref="OnFront"/>: no other file of the same model is both
/// no larger and more accurate.
/// </summary>
public sealed record ParetoPoint(string Label, string Model, long FileBytes, long DenseBytes, double TestError, bool OnFront = false)
{
    public double Ratio => (double)DenseBytes / FileBytes;
}
