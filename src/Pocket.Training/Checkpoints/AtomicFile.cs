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
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, Path.GetFullPath(path), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            // .NET names the temporary file in the message ("No space left on device : '/x/.f.123.tmp'"); the user knows only the target.
            string reason = e.Message.Replace($" : '{temp}'", "").TrimEnd('.');
            throw new IOException($"{path}: cannot write ({reason})", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Fails now, with one line, if <paramref name="path"/> could not be written later — so a long run does not
    /// find out at its end that its output folder is missing or read-only.
    /// </summary>
    public static void EnsureWritable(string path)
    {
        string probe = TempPathFor(path);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: output folder is not writable ({e.Message.TrimEnd('.')})", e);
        }
    }

    private static string TempPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new IOException($"{path}: folder {folder} does not exist");
        // Unique per process and call, so two runs writing the same output never share a temporary file.
        return Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }
}
