using System.Text.Json;

namespace Pocket.Cli.Tests;

/// <summary>
/// `pocket binarize`'s defaults come from the model's binarization recipe: SEP-Net's stem (conv1) stays float unless
/// --keep-float says otherwise, and a name it would not binarize is refused in one line.
/// </summary>
public sealed class BinarizeCommandTests
{
    private static readonly Lazy<string> SmallSepNet = new(() =>
    {
        string checkpoint = PocketProcess.Temp(".ckpt");
        var train = PocketProcess.Run("train", "--model", "sepnet", "--option", "width=0.3", "--dataset", "mnist", "--epochs", "1", "--limit", "64", "--out", checkpoint);
        Assert.True(train.ExitCode == 0, train.Stderr);
        return checkpoint;
    });

    private static string[] Binarized(params string[] flags)
    {
        var run = PocketProcess.Run(["binarize", SmallSepNet.Value, "--out", PocketProcess.Temp(".ckpt"), "--epochs", "0", "--json", .. flags]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToArray();
    }

    [Fact]
    public void SepNets_stem_stays_float_by_default_and_none_binarizes_it()
    {
        var byDefault = Binarized();
        Assert.DoesNotContain("conv1", byDefault);
        Assert.Contains("conv2", byDefault);
        Assert.Contains("sep1_1.prb1.pattern", byDefault);
        Assert.Equal(["conv1", .. byDefault], Binarized("--keep-float", "none"));
        Assert.DoesNotContain("conv2", Binarized("--keep-float", "conv1,conv2"));
    }

    [Fact]
    public void A_layer_it_would_not_binarize_is_refused()
    {
        var line = PocketProcess.AssertOneLineError(PocketProcess.Run("binarize", SmallSepNet.Value, "--out", PocketProcess.Temp(".ckpt"), "--keep-float", "sep1_1.reduce"));
        Assert.Contains("--keep-float: sep1_1.reduce is not a conv", line);
    }
}
