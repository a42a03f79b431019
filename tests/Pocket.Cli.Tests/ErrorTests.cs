namespace Pocket.Cli.Tests;

/// <summary>Bad input gets one line naming what is wrong and a non-zero exit code, never a stack trace.</summary>
public class ErrorTests
{
    [Fact]
    public void Unknown_command_is_a_usage_error()
    {
        PocketProcess.AssertOneLineError(PocketProcess.Run("frobnicate"), exitCode: 2);
    }

    [Fact]
    public void Unknown_model_is_a_usage_error_naming_it()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--model", "lenet7", "--out", PocketProcess.Temp(".ckpt")), exitCode: 2);
        Assert.Contains("lenet7", line);
    }

    [Fact]
    public void Missing_file_names_the_file()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("eval", "/nonexistent/model.ckpt"));
        Assert.Contains("/nonexistent/model.ckpt", line);
    }

    [Fact]
    public void Garbage_file_is_refused()
    {
        string path = PocketProcess.Temp(".ckpt");
        File.WriteAllBytes(path, new byte[100]);
        PocketProcess.AssertOneLineError(PocketProcess.Run("eval", path));
        PocketProcess.AssertOneLineError(PocketProcess.Run("inspect", path));
        PocketProcess.AssertOneLineError(PocketProcess.Run("run", path));
    }

    [Fact]
    public void Unknown_dataset_is_refused()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--dataset", "nope", "--out", PocketProcess.Temp(".ckpt")));
        Assert.Contains("nope", line);
    }

    [Fact]
    public void Corrupted_dataset_folder_names_the_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"pocket-cli-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(dir, f), [0, 0, 8, 3, 0, 0]);
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--dataset", dir, "--out", PocketProcess.Temp(".ckpt")));
        Assert.Contains("train-images-idx3-ubyte", line);
    }

    [Fact]
    public void Bad_option_values_are_usage_errors()
    {
        PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--epochs", "many", "--out", PocketProcess.Temp(".ckpt")), exitCode: 2);
        PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--optimizer", "rmsprop", "--out", PocketProcess.Temp(".ckpt")), exitCode: 2);
        PocketProcess.AssertOneLineError(PocketProcess.Run("train", "--model", "lenet300"), exitCode: 2);
    }

    [Theory]
    [InlineData("--retrain-lr", "0", "--retrain-lr")]
    [InlineData("--finetune-lr", "-0.1", "--finetune-lr")]
    [InlineData("--schedule", "linear", "--schedule")]
    [InlineData("--shift", "-1", "--shift")]
    [InlineData("--shift", "9", "--shift")]
    public void Bad_compress_recipe_overrides_name_the_flag(string flag, string value, string named)
    {
        // Checked before any training starts: the error comes at once, not after the float model is trained.
        var line = PocketProcess.AssertOneLineError(
            PocketProcess.Run("compress", "--model", "lenet300", flag, value, "--out", PocketProcess.Temp(".pocket")), exitCode: 2);
        Assert.Contains(named, line);
    }

    public static TheoryData<string[]> EveryCommand() => new()
    {
        new[] { "train", "--model", "lenet300" }, new[] { "eval", "m.pocket" }, new[] { "summary", "--model", "lenet300" },
        new[] { "sensitivity", "m.ckpt" }, new[] { "prune", "m.ckpt" }, new[] { "quantize", "m.ckpt" }, new[] { "binarize", "m.ckpt" },
        new[] { "encode", "m.ckpt" }, new[] { "compress", "--model", "lenet300" }, new[] { "inspect", "m.pocket" },
        new[] { "report", "m.pocket" }, new[] { "run", "m.pocket" }, new[] { "predict", "m.pocket", "digit.png" },
        new[] { "bench", "m.pocket" }, new[] { "export-onnx", "m.pocket" }, new[] { "pareto", "m.pocket" },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void Unknown_option_is_a_usage_error_naming_it(string[] command)
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run([.. command, "--bogus", "3"]), exitCode: 2);
        Assert.Contains("bogus", line);
    }

    [Fact]
    public void Option_of_another_command_is_a_usage_error()
    {
        // --alpha is no option of summary (alpha is a model option: --option alpha=0.5); it used to print α = 1 figures.
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("summary", "--model", "mobilenet_v1", "--alpha", "0.5"), exitCode: 2);
        Assert.Contains("alpha", line);
    }

    [Fact]
    public void Unknown_model_option_key_names_it_and_the_keys_the_model_accepts()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("summary", "--model", "mobilenet_v1", "--option", "alfa=0.5"), exitCode: 2);
        Assert.Contains("'alfa'", line);
        Assert.Contains("alpha, stride, resolution", line);

        line = PocketProcess.AssertOneLineError(PocketProcess.Run("summary", "--model", "lenet300", "--option", "alpha=0.5"), exitCode: 2);
        Assert.Contains("'alpha'", line);
    }

    [Fact]
    public void Model_option_value_of_the_wrong_kind_is_a_usage_error()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("summary", "--model", "squeezenet1_0", "--option", "bypass=full"), exitCode: 2);
        Assert.Contains("bypass='full' is not none, simple or complex", line);
        line = PocketProcess.AssertOneLineError(PocketProcess.Run("summary", "--model", "mobilenet_v1", "--option", "alpha=half"), exitCode: 2);
        Assert.Contains("alpha='half' is not a number", line);
    }

    [Fact]
    public void Known_model_options_still_work()
    {
        var r = PocketProcess.Run("summary", "--model", "mobilenet_v1", "--option", "alpha=0.5", "--option", "resolution=160", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("alpha=0.5", r.Stdout);
    }
}
