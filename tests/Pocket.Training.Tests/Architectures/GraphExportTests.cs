using Pocket.Format;
using Pocket.Training.Models;
using static TorchSharp.torch;

namespace Pocket.Training.Tests.Architectures;

/// <summary>Every architecture's <c>ExportGraph()</c> must describe exactly its forward pass.</summary>
[Collection(TorchRandomness.Collection)]
public sealed class GraphExportTests
{
    [Theory]
    [MemberData(nameof(ArchitectureCases.Small), MemberType = typeof(ArchitectureCases))]
    public void GraphTensorsAreStateDictEntriesOfTheRightShape(string name, string options, string input, int classes)
    {
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var state = model.state_dict();
        foreach (var node in model.ExportGraph().Nodes)
        {
            var a = node.Attributes;
            long[][] expected = node.Op switch
            {
                OpKind.Conv2d => [[a[0], a[1] / a[8], a[2], a[3]], [a[0]]],
                OpKind.Linear => [[a[0], a[1]], [a[0]]],
                OpKind.BatchNorm2d => [[a[0]], [a[0]], [a[0]], [a[0]]],
                _ => [],
            };
            Assert.Equal(expected.Length, node.Tensors.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (node.Tensors[i].Length == 0) continue; // an absent bias
                Assert.True(state.ContainsKey(node.Tensors[i]), $"{node.Name}: '{node.Tensors[i]}' is not in the state_dict");
                Assert.Equal(expected[i], state[node.Tensors[i]].shape);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ArchitectureCases.Small), MemberType = typeof(ArchitectureCases))]
    public void GraphUsesEveryLearnedTensor(string name, string options, string input, int classes)
    {
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var used = model.ExportGraph().Nodes.SelectMany(n => n.Tensors).Where(t => t.Length > 0).ToList();
        Assert.Equal(used.Count, used.Distinct().Count());
        var learned = model.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.Equal(learned.Order(), used.Order());
    }

    [Theory]
    [MemberData(nameof(ArchitectureCases.Small), MemberType = typeof(ArchitectureCases))]
    public void ShapeInferenceAgreesWithForward(string name, string options, string input, int classes)
    {
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var summary = ModelSummary.Of(model.ExportGraph());
        Assert.Equal([classes, 1, 1], summary.OutputShape);
        Assert.Equal(model.parameters().Sum(p => p.numel()), summary.Parameters);
    }

    [Theory]
    [MemberData(nameof(ArchitectureCases.Small), MemberType = typeof(ArchitectureCases))]
    public void GraphComputesWhatForwardComputes(string name, string options, string input, int classes)
    {
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var shape = model.InputShape;
        using var scope = NewDisposeScope();
        manual_seed(7);
        // A few training-mode passes give BatchNorm non-trivial running statistics to get wrong.
        model.train();
        using (no_grad())
            for (int i = 0; i < 3; i++) model.forward(randn(4, shape.Channels, shape.Height, shape.Width) * 2 + 0.5);
        model.eval();
        var x = randn(2, shape.Channels, shape.Height, shape.Width);
        using var noGrad = no_grad();
        var expected = model.forward(x);
        var actual = GraphInterpreter.Run(model.ExportGraph(), model.state_dict(), x).flatten(1);
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>() + 1e-6;
        Assert.True((expected - actual).abs().max().item<float>() <= 1e-4 * scale,
            $"graph and forward differ by {(expected - actual).abs().max().item<float>()} (scale {scale})");
    }

    [Fact]
    public void PoolingSizesFollowPyTorchCeilMode()
    {
        Assert.Equal(55, ModelSummary.PooledSize(111, 3, 2, 0, true));
        Assert.Equal(54, ModelSummary.PooledSize(109, 3, 2, 0, true));
        Assert.Equal(7, ModelSummary.PooledSize(15, 3, 2, 0, true));
        Assert.Equal(6, ModelSummary.PooledSize(14, 3, 2, 0, false));
        Assert.Equal(7, ModelSummary.PooledSize(14, 3, 2, 0, true));
        Assert.Equal(28, ModelSummary.PooledSize(56, 3, 2, 1, false));
    }
}
