using System.Text.Json;
using Pocket.Cli.Commands;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Cli.Tests;

/// <summary>
/// The preprocessing `pocket import` stores (--scale, --mean, --std, --channel-order, --resize), carried by every
/// command that writes a file and applied alike by eval (TorchSharp), run and predict (Pocket.Runtime), retraining and
/// data-free fidelity; on an image folder of RGB PNGs and the PyTorch fixtures (random weights).
/// </summary>
public sealed class StoredPreprocessingTests : IClassFixture<StoredPreprocessingTests.Imported>
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static readonly double[] Mean = [120, 110, 100], Std = [50, 60, 70];

    /// <summary>
    /// The 3×16×16 → 5 residual fixture imported with non-default preprocessing and a 5-class image folder of 20×12 PNGs
    /// (so the bilinear resize is exercised), as a checkpoint and as a float .pocket file; and the checkpoint compressed.
    /// </summary>
    public sealed class Imported : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("pocket-preprocess-").FullName;
        public string Folder => Path.Combine(Dir, "images");
        public string Checkpoint => Path.Combine(Dir, "m.ckpt");
        public string Float => Path.Combine(Dir, "m-float.pocket");
        public string Compressed => Path.Combine(Dir, "m.pocket");
        public PocketProcess.Result Import { get; }
        public PocketProcess.Result Compress { get; }

        public static readonly string[] Options =
            ["--scale", "255", "--mean", "120,110,100", "--std", "50,60,70", "--channel-order", "bgr", "--resize", "bilinear"];

        public Imported()
        {
            string[] classes = ["c0", "c1", "c2", "c3", "c4"];
            new Pocket.Tests.ImageFolderFiles(Folder).Part("train", classes, 4, 20, 12, seed: 1).Part("test", classes, 3, 20, 12, seed: 2);
            Import = PocketProcess.Run(["import", Fixture("residual_concat_opset17.onnx"), "--out", Checkpoint, "--dataset", Folder, .. Options]);
            Assert.True(Import.ExitCode == 0, Import.Stderr);
            var import = PocketProcess.Run(["import", Fixture("residual_concat_opset17.onnx"), "--out", Float, "--dataset", Folder, .. Options]);
            Assert.True(import.ExitCode == 0, import.Stderr);
            Compress = PocketProcess.Run("compress", "--from", Checkpoint, "--out", Compressed, "--rounds", "1", "--retrain-epochs", "1",
                "--finetune-epochs", "1", "--json");
            Assert.True(Compress.ExitCode == 0, Compress.Stderr);
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    private readonly Imported _m;

    public StoredPreprocessingTests(Imported imported) => _m = imported;

    private static void AssertStored(IReadOnlyDictionary<string, string> metadata, string file)
    {
        Assert.True(metadata.TryGetValue(ModelMetadata.PreprocessScale, out var scale), $"{file}: no {ModelMetadata.PreprocessScale}");
        Assert.Equal("255", scale);
        Assert.Equal("120,110,100", metadata[ModelMetadata.PreprocessMean]);
        Assert.Equal("50,60,70", metadata[ModelMetadata.PreprocessStd]);
        Assert.Equal("bgr", metadata[ModelMetadata.PreprocessChannelOrder]);
        Assert.Equal("bilinear", metadata[ModelMetadata.PreprocessResize]);
        Assert.Equal("c0\nc1\nc2\nc3\nc4", metadata[ModelMetadata.Labels]);
    }

    [Fact]
    public void Import_stores_it_and_every_command_that_writes_a_file_carries_it()
    {
        // (Spectre.Console wraps a long line at the console width.)
        Assert.True(_m.Import.Stdout.ReplaceLineEndings("").Contains("preprocessing: scale 255, mean 120,110,100, std 50,60,70, bgr, resize bilinear"), _m.Import.Stdout);
        AssertStored(Training.Checkpoints.Checkpoint.Load(_m.Checkpoint).Metadata, _m.Checkpoint);
        AssertStored(PocketFile.Read(_m.Float).Metadata, _m.Float);
        AssertStored(PocketFile.Read(_m.Compressed).Metadata, _m.Compressed); // prune, quantize, encode in one
        string pruned = PocketProcess.Temp(".ckpt"), binarized = PocketProcess.Temp(".ckpt"), reencoded = PocketProcess.Temp(".pocket");
        Assert.Equal(0, PocketProcess.Run("prune", _m.Checkpoint, "--out", pruned, "--keep", "0.5", "--rounds", "1", "--epochs", "1").ExitCode);
        AssertStored(Training.Checkpoints.Checkpoint.Load(pruned).Metadata, pruned);
        Assert.Equal(0, PocketProcess.Run("binarize", _m.Checkpoint, "--out", binarized, "--epochs", "1").ExitCode);
        AssertStored(Training.Checkpoints.Checkpoint.Load(binarized).Metadata, binarized);
        Assert.Equal(0, PocketProcess.Run("encode", _m.Compressed, "--out", reencoded).ExitCode);
        AssertStored(PocketFile.Read(reencoded).Metadata, reencoded);
    }

    [Theory]
    [InlineData("m-float.pocket")]
    [InlineData("m.pocket")]
    public void Eval_and_run_agree_sample_for_sample_and_feed_the_stored_preprocessing(string name)
    {
        string file = Path.Combine(_m.Dir, name);
        var checkpoint = PocketDecoder.LoadAny(file);
        var data = DatasetArgument.Load(null, checkpoint, file);
        Assert.Equal(15, data.Test.Count);
        using var module = ModuleState.Restore(checkpoint, file);
        var eval = Evaluator.Evaluate(module, data.Test, checkpoint.Input);
        var network = PocketNetwork.Load(file);
        var run = RuntimeEvaluator.Evaluate(network, data.Test);
        Assert.Equal(eval.Predictions, run.Predictions);

        // The input run and eval build equals the stored rule computed here in float64 (BGR, ×255, −mean, ÷std) on the
        // image as read (resized from 20×12 to 16×16 at load), and differs from what the default would feed.
        var input = new InputShape(3, 16, 16);
        double changed = 0;
        for (int i = 0; i < data.Test.Count; i++)
        {
            var fed = new float[input.Size];
            Batches.CopyImage(data.Test, i, input, fed);
            var image = data.Test.Image(i);
            var expected = new float[input.Size];
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 256; p++)
                    expected[c * 256 + p] = (float)((image[(2 - c) * 256 + p] * 255.0 - Mean[c]) / Std[c]);
            Assert.True(expected.Zip(fed).All(e => Math.Abs(e.First - e.Second) <= 1e-5 * Math.Max(1, Math.Abs(e.First))), $"image {i}");
            float[] outputs = network.Predict(fed), unprocessed = network.Predict(image.ToArray());
            changed = Math.Max(changed, outputs.Zip(unprocessed).Max(o => Math.Abs(o.First - o.Second)));
        }
        Assert.True(changed > 1e-3, $"the outputs move by at most {changed} without the preprocessing");

        var runCli = PocketProcess.Run("run", file, "--json");
        var evalCli = PocketProcess.Run("eval", file, "--json");
        Assert.True(runCli.ExitCode == 0 && evalCli.ExitCode == 0, runCli.Stderr + evalCli.Stderr);
        using var r = JsonDocument.Parse(runCli.Stdout);
        using var e = JsonDocument.Parse(evalCli.Stdout);
        Assert.Equal(run.Accuracy, r.RootElement.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal(eval.Accuracy, e.RootElement.GetProperty("accuracy").GetDouble(), 6);
    }

    [Fact]
    public void Predict_feeds_a_picture_exactly_as_run_feeds_the_same_file_from_the_folder()
    {
        string picture = Path.Combine(_m.Folder, "test", "c1", "000.png"); // second in the folder's round-robin order
        var checkpoint = PocketDecoder.LoadAny(_m.Float);
        var data = DatasetArgument.Load(null, checkpoint, _m.Float);
        var network = PocketNetwork.Load(_m.Float);
        var fed = new float[network.InputLength];
        Batches.CopyImage(data.Test, 1, checkpoint.Input, fed);
        float[] probabilities = network.Predict(fed); // the fixture ends in Softmax

        var predict = PocketProcess.Run("predict", _m.Float, picture, "--json");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        using var p = JsonDocument.Parse(predict.Stdout);
        Assert.Contains("the model's preprocessing", p.RootElement.GetProperty("preprocessing").GetString());
        var top = p.RootElement.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(5, top.Length);
        foreach (var t in top)
            Assert.Equal(Math.Round(probabilities[t.GetProperty("class").GetInt32()], 6), t.GetProperty("probability").GetDouble(), 6);
        Assert.Equal(Enumerable.Range(0, 5).OrderByDescending(c => probabilities[c]).ThenBy(c => c), top.Select(t => t.GetProperty("class").GetInt32()));
    }

    [Fact]
    public void Data_free_compression_takes_an_image_folder_and_a_feature_extractor_with_fidelity_only()
    {
        string folderOut = PocketProcess.Temp(".pocket");
        var onFolder = PocketProcess.Run("compress", "--from", _m.Checkpoint, "--no-data", "--fidelity-dataset", _m.Folder, "--out", folderOut);
        Assert.True(onFolder.ExitCode == 0, onFolder.Stderr);
        Assert.Contains("fidelity of the decoded file to the original on 8 held-out", onFolder.Stdout);
        Assert.Contains("accuracy on their labels", onFolder.Stdout); // 5 outputs, 5 classes
        AssertStored(PocketFile.Read(folderOut).Metadata, folderOut);

        // 4 outputs against Fashion-MNIST's 10 classes: outputs to compare, no accuracy to report. Its 12×12 input takes
        // the 28×28 images only by the stored bilinear resize.
        string features = PocketProcess.Temp(".ckpt"), padded = PocketProcess.Temp(".ckpt"), output = PocketProcess.Temp(".pocket");
        Assert.Equal(0, PocketProcess.Run("import", Fixture("activations_opset13.onnx"), "--out", features, "--resize", "bilinear").ExitCode);
        var compress = PocketProcess.Run("compress", "--from", features, "--no-data", "--fidelity-dataset", "fashion-mnist",
            "--fidelity-limit", "60", "--out", output, "--json");
        Assert.True(compress.ExitCode == 0, compress.Stderr);
        using (var j = JsonDocument.Parse(compress.Stdout))
        {
            Assert.Equal(30, j.RootElement.GetProperty("samples").GetInt32());
            Assert.Equal(JsonValueKind.Null, j.RootElement.GetProperty("accuracy").ValueKind);
            Assert.InRange(j.RootElement.GetProperty("fidelity").GetProperty("mean_cosine").GetDouble(), 0.5, 1.0);
        }
        var text = PocketProcess.Run("compress", "--from", features, "--no-data", "--fidelity-dataset", "fashion-mnist",
            "--fidelity-limit", "60", "--out", output);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.DoesNotContain("accuracy", text.Stdout);

        Assert.Equal(0, PocketProcess.Run("import", Fixture("activations_opset13.onnx"), "--out", padded).ExitCode);
        var refused = PocketProcess.Run("compress", "--from", padded, "--no-data", "--fidelity-dataset", "fashion-mnist", "--out", output);
        Assert.Contains("smaller than fashion-mnist's 28×28 images", PocketProcess.AssertOneLineError(refused, 1));
    }

    [Theory]
    [InlineData("--scale", "abc", "--scale: 'abc' is not a number")]
    [InlineData("--scale", "0", "--scale: '0' is not positive")]
    [InlineData("--mean", "1,2", "--mean: '1,2' has 2 values; give 1, or one per channel (3)")]
    [InlineData("--mean", "1,x,3", "--mean: '1,x,3': value 2 ('x') is not a number")]
    [InlineData("--std", "1,0,1", "--std: '1,0,1': value 2 ('0') is not positive")]
    [InlineData("--channel-order", "rgba", "--channel-order: 'rgba' is not rgb or bgr")]
    [InlineData("--resize", "zoom", "--resize: 'zoom' is not pad or bilinear")]
    public void A_bad_option_is_one_line_and_exit_2(string option, string value, string message)
    {
        var r = PocketProcess.Run("import", Fixture("residual_concat_opset17.onnx"), "--out", PocketProcess.Temp(".ckpt"), option, value);
        Assert.Equal(message, PocketProcess.AssertOneLineError(r, 2).Replace("pocket: ", ""));
    }

    [Fact]
    public void Bgr_on_a_gray_model_is_refused_once_its_channels_are_known()
    {
        var r = PocketProcess.Run("import", Fixture("mlp_opset11.onnx"), "--out", PocketProcess.Temp(".pocket"), "--channel-order", "bgr");
        Assert.Contains("--channel-order: bgr needs a 3-channel input, the model's has 1", PocketProcess.AssertOneLineError(r, 2));
    }

    [Fact]
    public void A_malformed_stored_value_is_one_line_naming_the_file_and_key_for_run_eval_and_predict()
    {
        var model = PocketFile.Read(_m.Float);
        string bad = PocketProcess.Temp(".pocket");
        PocketFile.Write(bad, model with { Metadata = new Dictionary<string, string>(model.Metadata) { [ModelMetadata.PreprocessStd] = "1,-2,1" } });
        string picture = Path.Combine(_m.Folder, "test", "c0", "000.png");
        foreach (string[] args in new[] { new[] { "run", bad }, ["eval", bad], ["predict", bad, picture] })
        {
            string line = PocketProcess.AssertOneLineError(PocketProcess.Run(args), 1);
            Assert.Contains($"{bad}: metadata 'preprocess.std': '1,-2,1': value 2 ('-2') is not positive", line);
        }
    }

    [Fact]
    public void An_undecodable_file_in_an_image_folder_is_one_line_naming_it()
    {
        string folder = Path.Combine(_m.Dir, "damaged");
        new Pocket.Tests.ImageFolderFiles(folder).Part("train", ["a", "b", "c", "d", "e"], 1, 16, 16, seed: 3).Part("test", ["a", "b", "c", "d", "e"], 1, 16, 16, seed: 4);
        string broken = Path.Combine(folder, "test", "c", "000.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var r = PocketProcess.Run("eval", _m.Float, "--dataset", folder);
        Assert.StartsWith($"pocket: {broken}: not an image", PocketProcess.AssertOneLineError(r, 1));
        var train = PocketProcess.Run("train", "--model", "lenet300", "--dataset", folder, "--out", PocketProcess.Temp(".ckpt"));
        Assert.Contains("an image folder is converted to a model's input as it is read", PocketProcess.AssertOneLineError(train, 1));
    }
}
