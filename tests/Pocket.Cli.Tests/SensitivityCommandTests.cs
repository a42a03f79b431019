using System.Text.Json;

namespace Pocket.Cli.Tests;

/// <summary>`pocket sensitivity`: curves on a slice of the test set, and the --keep rule they suggest, which compress takes.</summary>
public class SensitivityCommandTests
{
    [Fact]
    public void Limit_measures_on_that_many_test_images_and_the_suggested_keep_is_one_the_curves_justify()
    {
        string trained = PocketProcess.Temp(".ckpt");
        CompressedModels.LeNet300.Trained.Save(trained);
        var r = PocketProcess.Run("sensitivity", trained, "--limit", "200", "--levels", "1,0.3,0.05", "--suggest", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(200, doc.RootElement.GetProperty("test_images").GetInt32());
        string keep = doc.RootElement.GetProperty("suggested_keep").GetString()!;
        var suggested = keep.Length == 0 ? new Dictionary<string, double>()
            : keep.Split(',').ToDictionary(p => p.Split('=')[0], p => double.Parse(p.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
        foreach (var layer in doc.RootElement.GetProperty("layers").EnumerateArray())
        {
            var points = layer.GetProperty("points").EnumerateArray().Select(p => (Kept: p.GetProperty("kept").GetDouble(), Accuracy: p.GetProperty("accuracy").GetDouble())).ToList();
            Assert.Equal(3, points.Count);
            // Accuracy on 200 images moves in steps of 0.5 %.
            Assert.All(points, p => Assert.Equal(Math.Round(p.Accuracy * 200), p.Accuracy * 200, 6));
            double chosen = suggested.GetValueOrDefault(layer.GetProperty("name").GetString()!, 1.0);
            Assert.Contains(chosen, points.Select(p => p.Kept));
            // Every level down to the chosen one is within 2 points of the unpruned accuracy; the next one, if any, is not.
            Assert.All(points.Where(p => p.Kept >= chosen), p => Assert.True(p.Accuracy >= points[0].Accuracy - 0.02 - 1e-9));
            var next = points.Where(p => p.Kept < chosen).Take(1).ToList();
            Assert.All(next, p => Assert.True(p.Accuracy < points[0].Accuracy - 0.02));
        }
        // LeNet-300-100's fc1 (235,200 weights) loses under 2 points at 30 % kept even after one epoch.
        Assert.NotEmpty(suggested);
        // The rule names layers compress and prune know: with one unknown name added, only that name is refused, as a
        // usage error before any retraining.
        var bad = PocketProcess.Run("compress", "--from", trained, "--keep", keep + ",nosuchlayer=0.5", "--out", PocketProcess.Temp(".pocket"));
        Assert.Contains("no prunable layer 'nosuchlayer'", PocketProcess.AssertOneLineError(bad, 2));
        bad = PocketProcess.Run("prune", trained, "--keep", keep + ",nosuchlayer=0.5", "--out", PocketProcess.Temp(".ckpt"));
        Assert.Contains("no prunable layer 'nosuchlayer'", PocketProcess.AssertOneLineError(bad, 2));

        Assert.Contains("--suggest", PocketProcess.AssertOneLineError(PocketProcess.Run("sensitivity", trained, "--levels", "0.5", "--suggest", "1"), 2));
        Assert.Contains("--limit", PocketProcess.AssertOneLineError(PocketProcess.Run("sensitivity", trained, "--limit", "0"), 2));
    }
}
