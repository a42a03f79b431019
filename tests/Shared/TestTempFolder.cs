using System.Runtime.CompilerServices;

namespace Pocket.Tests;

/// <summary>
/// Every temporary file or folder a test run makes (Path.GetTempPath, Directory.CreateTempSubdirectory, and the
/// `pocket` processes the CLI tests start, which inherit TMPDIR) goes into one folder of its own, removed when the
/// run ends — so running the suite leaves nothing behind in /tmp.
/// </summary>
internal static class TestTempFolder
{
#pragma warning disable CA2255 // a test assembly is an application's entry point here, not a library
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Redirect()
    {
        string folder = Directory.CreateTempSubdirectory("pocket-tests-").FullName;
        Environment.SetEnvironmentVariable("TMPDIR", folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { } // a file still held open by a killed child: best effort
            catch (UnauthorizedAccessException) { }
        };
    }
}
