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
}
