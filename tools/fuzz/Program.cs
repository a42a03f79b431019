using Pocket.Fuzz;
using SharpFuzz;

// The fuzzing harness; see README.md.
//   Pocket.Fuzz pocket | idx                 run under afl-fuzz (SharpFuzz out-of-process mode: the input arrives on a stream)
//   Pocket.Fuzz check pocket|idx PATH...     run the same check on files or folders, in process; exit 1 if any fails
//   Pocket.Fuzz seeds OUT_DIR REPO_ROOT      write the seed corpus to OUT_DIR/pocket and OUT_DIR/idx
if (args.Length == 0) return Usage();
switch (args[0])
{
    case "pocket" when args.Length == 1:
        Fuzzer.OutOfProcess.Run(stream => PocketInputCheck.Run(ReadAll(stream)));
        return 0;
    case "idx" when args.Length == 1:
        Fuzzer.OutOfProcess.Run(stream => IdxInputCheck.Run(ReadAll(stream)));
        return 0;
    case "check" when args.Length >= 3 && args[1] is "pocket" or "idx":
        return Check(args[1], args[2..]);
    case "seeds" when args.Length == 3:
        PocketSeeds.Write(Path.Combine(args[1], "pocket"), args[2]);
        IdxSeeds.Write(Path.Combine(args[1], "idx"), args[2]);
        return 0;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Pocket.Fuzz pocket|idx  |  check pocket|idx PATH...  |  seeds OUT_DIR REPO_ROOT");
    return 2;
}

static byte[] ReadAll(Stream stream)
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    return copy.ToArray();
}

// Replays inputs (a crash from afl's findings, a regression file, the corpus) through the fuzz target's check.
static int Check(string target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p)
        ? Directory.EnumerateFiles(p).Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.txt") // afl's .state/ is not input
        : [p]).Order(StringComparer.Ordinal).ToList();
    int failed = 0;
    foreach (string file in files)
    {
        byte[] bytes = File.ReadAllBytes(file);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            string outcome = target == "pocket"
                ? $"{PocketInputCheck.Run(bytes)}, decode allocated {PocketInputCheck.LastDecodeAllocation} B, load {PocketInputCheck.LastLoadAllocation} B"
                : $"{IdxInputCheck.Run(bytes)} of 2 ranks parsed";
            Console.WriteLine($"ok    {file} ({bytes.Length} bytes, {watch.ElapsedMilliseconds} ms): {outcome}");
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"FAIL  {file} ({bytes.Length} bytes, {watch.ElapsedMilliseconds} ms): {e.GetType().Name}: {e.Message}");
            if (e.InnerException is { } inner) Console.WriteLine($"      {inner.GetType().Name} at {inner.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
        }
    }
    Console.WriteLine($"{files.Count - failed} passed, {failed} failed");
    return failed == 0 ? 0 : 1;
}
