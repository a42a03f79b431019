using Pocket.Training.Compression;
using Pocket.Training.Training;

namespace Pocket.Cli.Tests;

/// <summary>
/// Every long run (train, prune, quantize, compress) killed with SIGKILL mid-run and resumed with --resume ends
/// exactly where an uninterrupted run ends: the same output bytes.
/// </summary>
public class ResumeTests
{
    // Inputs for prune and quantize: a trained and a pruned LeNet-300-100, made once through the Training API.
    private static readonly Lazy<(string Trained, string Pruned)> Inputs = new(() =>
    {
        var trained = CompressedModels.LeNet300.Trained;
        var mnist = Pocket.Training.Data.DatasetCatalog.Load("mnist");
        var data = new Pocket.Training.Data.DatasetSplit("mnist", mnist.Train.Take(1000), mnist.Test.Take(300));
        var pruned = PruningRun.Run(trained, data, new PruningOptions
        {
            Rule = PruningRule.ParseKeep("fc1=0.1,fc2=0.1,fc3=0.3"), Rounds = 1,
            Retrain = TrainingRecipes.Retraining("lenet300") with { Epochs = 0 },
        }).Checkpoint;
        string trainedPath = PocketProcess.Temp(".ckpt"), prunedPath = PocketProcess.Temp(".ckpt");
        trained.Save(trainedPath);
        pruned.Save(prunedPath);
        return (trainedPath, prunedPath);
    });

    public static TheoryData<string> Commands => ["train", "prune", "quantize", "compress"];

    /// <summary>The command line of each run (without --out) and the journal stage whose file marks "mid-run".</summary>
    private static (string[] Args, string Stage, string Extension) Run(string command) => command switch
    {
        "train" => (["train", "--model", "lenet300", "--limit", "3000", "--epochs", "4", "--seed", "3"], "train", ".ckpt"),
        "prune" => (["prune", Inputs.Value.Trained, "--keep", "fc1=0.1,fc2=0.1,fc3=0.3", "--rounds", "2", "--epochs", "3", "--limit", "3000"], "prune", ".ckpt"),
        "quantize" => (["quantize", Inputs.Value.Pruned, "--bits", "4", "--epochs", "4", "--limit", "3000"], "quantize", ".ckpt"),
        // Killed once training has finished and pruning is under way: the resumed run reuses the finished stage.
        "compress" => (["compress", "--model", "lenet300", "--limit", "3000", "--epochs", "1", "--rounds", "2", "--retrain-epochs", "2",
            "--finetune-epochs", "2"], "prune", ".pocket"),
        _ => throw new ArgumentException(command),
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Killed_then_resumed_run_equals_an_uninterrupted_run(string command)
    {
        var (args, stage, extension) = Run(command);
        string whole = PocketProcess.Temp(extension), killed = PocketProcess.Temp(extension);
        var uninterrupted = PocketProcess.Run([.. args, "--out", whole]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        Assert.False(Directory.Exists(whole + ".resume"), "a finished run removes its journal");

        // Start the same run and SIGKILL it as soon as the stage's first per-epoch journal entry appears.
        string journal = Path.Combine(killed + ".resume", stage + ".ckpt");
        using (var process = PocketProcess.Start([.. args, "--out", killed]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(journal) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // SIGKILL on Linux
            process.WaitForExit();
        }
        Assert.True(File.Exists(journal));
        Assert.False(File.Exists(killed), "the output is written only when the run has finished");

        var resumed = PocketProcess.Run([.. args, "--out", killed, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(killed));
        Assert.False(Directory.Exists(killed + ".resume"));
    }

    [Fact]
    public void Resuming_with_other_settings_is_refused()
    {
        string path = PocketProcess.Temp(".ckpt");
        string[] args = ["train", "--model", "lenet300", "--limit", "3000", "--epochs", "4", "--out", path];
        using (var process = PocketProcess.Start([.. args, "--seed", "3"]))
        {
            while (!File.Exists(Path.Combine(path + ".resume", "train.ckpt")) && !process.HasExited) Thread.Sleep(10);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var r = PocketProcess.Run([.. args, "--seed", "4", "--resume"]);
        Assert.Contains("other settings", PocketProcess.AssertOneLineError(r));
        // libtorch's thread count is part of the settings: its kernels' sums differ with it.
        var threads = PocketProcess.Run(new Dictionary<string, string> { ["POCKET_TORCH_THREADS"] = "2" }, [.. args, "--seed", "3", "--resume"]);
        Assert.Contains("other settings", PocketProcess.AssertOneLineError(threads));
    }

    [Fact]
    public void A_killed_run_leaves_the_existing_output_untouched()
    {
        string path = PocketProcess.Temp(".ckpt");
        byte[] before = "what the user had"u8.ToArray();
        File.WriteAllBytes(path, before);
        using (var process = PocketProcess.Start("train", "--model", "lenet300", "--limit", "3000", "--epochs", "4", "--out", path))
        {
            while (!File.Exists(Path.Combine(path + ".resume", "train.ckpt")) && !process.HasExited) Thread.Sleep(10);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
