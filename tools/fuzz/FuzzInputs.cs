namespace Pocket.Fuzz;

/// <summary>
/// The files a test suite replays through a fuzz target's check: every file below a folder of the test output, named
/// by its path relative to that folder (so a failing case names the seed or regression file).
/// </summary>
public static class FuzzInputs
{
    public static IEnumerable<string> Under(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(file => Path.GetRelativePath(root, file));
}
