namespace Pocket.Training.Checkpoints;

/// <summary>
/// Writes a file so that readers only ever see the old or the complete new content: the bytes go to a
/// uniquely named temporary file in the same folder, are flushed to disk, and the temporary file is renamed
/// over the target. On any failure the temporary file is removed and the previous file is left as it was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new IOException($"{path}: folder {folder} does not exist");
        // Unique per process and call, so two runs writing the same output never share a temporary file.
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
