using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx.Tests;

/// <summary>A fact that runs only when ResNet-18 of NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 is in the
/// NuGet cache (restoring this test project puts it there: its PackageDownload); the 63.6 MB file is not part of the repository.</summary>
public sealed class ResNet18FactAttribute : FactAttribute
{
    public static string Path
    {
        get
        {
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return System.IO.Path.Combine(cache, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        }
    }

    public ResNet18FactAttribute()
    {
        if (!File.Exists(Path)) Skip = $"{Path} is not in the NuGet cache (restoring this test project downloads it)";
    }
}

/// <summary>A model no one here wrote or exported: CNTK 2.6, opset 8, asymmetric "same" pads, BatchNorm with spatial=1.</summary>
public sealed class ResNet18ImportTests
{
    [ResNet18Fact]
    public void CNTK_ResNet18_runs_in_pocket_runtime_like_onnx_runtime()
    {
        PocketModel imported = OnnxImporter.Import(ResNet18FactAttribute.Path);
        OpKind[] ops = imported.Graph.Nodes.Select(n => n.Op).ToArray();
        Assert.Equal(22, ops.Count(o => o == OpKind.Conv2d));
        Assert.Equal(22, ops.Count(o => o == OpKind.BatchNorm2d));
        Assert.Equal(9, ops.Count(o => o == OpKind.Add));
        var network = PocketNetwork.Load(imported);
        Assert.Equal(new TensorShape(3, 224, 224), network.InputShape);
        Assert.Equal(new TensorShape(512, 1, 1), network.OutputShape);

        float[] input = ImportFixtures.Inputs(3 * 224 * 224, seed: 18).Select(v => v * 255f).ToArray();
        float[] expected = ImportFixtures.RunOrt(File.ReadAllBytes(ResNet18FactAttribute.Path), input, [1, 3, 224, 224]);
        double diff = ImportFixtures.MaxRelativeDifference(network.Predict(input), expected);
        Assert.True(diff <= 1e-4, $"max relative difference {diff:E2} to ONNX Runtime");
    }
}
