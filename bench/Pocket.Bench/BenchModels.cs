namespace Pocket.Bench;

/// <summary>
/// Where the compressed models come from: $POCKET_BENCH_MODELS (a folder), else models/ beside the program (copied
/// from bench/Pocket.Bench/models). Each is named after the zoo model: lenet300.pocket, lenet5.pocket.
/// </summary>
public static class BenchModels
{
    public static readonly string[] Names = ["lenet300", "lenet5"];

    public static string PathOf(string name)
    {
        string folder = Environment.GetEnvironmentVariable("POCKET_BENCH_MODELS") is { Length: > 0 } env
            ? env
            : Path.Combine(AppContext.BaseDirectory, "models");
        string path = Path.Combine(folder, name + ".pocket");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{path}: missing; create it with `pocket compress --model {name} --out {path}` or set POCKET_BENCH_MODELS", path);
        return path;
    }
}
