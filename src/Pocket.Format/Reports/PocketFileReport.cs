namespace Pocket.Format;

/// <summary>What <see cref="PocketFile.Inspect(ReadOnlySpan{byte}, string)"/> found in a file: its sections and per-tensor costs.</summary>
public sealed record PocketFileReport(
    string SourceName,
    long FileBytes,
    int MajorVersion,
    int MinorVersion,
    int NodeCount,
    int MetadataEntries,
    long MetadataSectionBytes,
    long GraphSectionBytes,
    IReadOnlyList<TensorReport> Tensors)
{
    public long TotalElements => Tensors.Sum(t => t.ElementCount);
    public long TotalNonZeros => Tensors.Sum(t => t.NonZeroCount);
    public long DenseBytes => Tensors.Sum(t => t.DenseBytes);

    /// <summary>All tensors as float32 over the whole file.</summary>
    public double CompressionRatio => FileBytes == 0 ? 0 : (double)DenseBytes / FileBytes;
}
