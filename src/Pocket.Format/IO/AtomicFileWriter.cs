namespace Pocket.Format.IO;

/// <summary>
/// Replaces a file so that readers see either the old bytes or the complete new ones, never a half file:
/// write a temporary file in the same directory (same file system, so the rename is atomic), flush it to
/// the device, then rename it over the target.
/// </summary>
internal static class AtomicFileWriter
{
    /// <param name="beforeRename">Test hook, called with the temporary path once it is written and flushed.</param>
    public static void Write(string path, ReadOnlySpan<byte> bytes, Action<string>? beforeRename = null)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no directory", nameof(path));
        string temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(temp);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
