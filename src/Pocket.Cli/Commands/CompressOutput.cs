using Pocket.Cli.Report;
using Pocket.Training.Checkpoints;

namespace Pocket.Cli.Commands;

/// <summary>
/// What `compress` writes: the .pocket file and its report folder beside it (MODEL.pocket → MODEL.report/). Both are
/// first made complete under temporary names in the output's folder, then renamed into place, so a failure anywhere
/// (the report, a disk filling up) leaves the file and report the user already had exactly as they were, and no
/// temporary file or folder behind.
/// </summary>
public static class CompressOutput
{
    public static string ReportFolderFor(string pocketPath) => Path.ChangeExtension(pocketPath, null) + ".report";

    /// <summary>
    /// `compress --out`: required, writable, and with room for its report, checked before any training starts, so a
    /// run is not lost at its very end to a report location that could never be written.
    /// </summary>
    public static string Require([System.Diagnostics.CodeAnalysis.NotNull] string? pocketPath)
    {
        OutputArgument.Require(pocketPath, "the .pocket file to write");
        string reportFolder = ReportFolderFor(Path.GetFullPath(pocketPath));
        if (File.Exists(reportFolder)) throw new InputException(ReportFolderIsAFile(reportFolder));
        return pocketPath;
    }

    private static string ReportFolderIsAFile(string reportFolder) => $"{reportFolder}: is a file, not a report folder; nothing was written";

    /// <summary>Writes <paramref name="file"/> to <paramref name="pocketPath"/> and its report; returns the report's index.html.</summary>
    public static string Write(string pocketPath, byte[] file, Checkpoint trained)
    {
        string target = Path.GetFullPath(pocketPath), reportFolder = ReportFolderFor(target);
        string folder = Path.GetDirectoryName(target)!;
        // Unique per process and call, like AtomicFile's temporary files, so two runs never share one.
        string tag = $"{Environment.ProcessId}.{Guid.NewGuid():N}";
        string stagedFile = Path.Combine(folder, $".{Path.GetFileName(target)}.{tag}.tmp");
        string stagedReport = Path.Combine(folder, $".{Path.GetFileName(reportFolder)}.{tag}.tmp");
        string replacedReport = Path.Combine(folder, $".{Path.GetFileName(reportFolder)}.{tag}.old");
        try
        {
            AtomicFile.WriteAllBytes(stagedFile, file);
            ReportWriter.Write(file, Path.GetFileName(target), trained, null, stagedReport);
            if (File.Exists(reportFolder)) throw new IOException(ReportFolderIsAFile(reportFolder)); // made since the check at the start

            // Everything is complete: the report folder goes into place first (the previous one set aside), then the
            // file by one rename; if that rename fails, the previous report comes back.
            bool hadReport = Directory.Exists(reportFolder);
            if (hadReport) Directory.Move(reportFolder, replacedReport);
            Directory.Move(stagedReport, reportFolder);
            try
            {
                File.Move(stagedFile, target, overwrite: true);
            }
            catch
            {
                Directory.Move(reportFolder, stagedReport);
                if (hadReport) Directory.Move(replacedReport, reportFolder);
                throw;
            }
            TryDeleteFolder(replacedReport);
            return Path.Combine(ReportFolderFor(pocketPath), ReportWriter.IndexFile);
        }
        finally
        {
            TryDeleteFile(stagedFile);
            TryDeleteFolder(stagedReport);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void TryDeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
