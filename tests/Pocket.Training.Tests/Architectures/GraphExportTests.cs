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

    [Theory]
    [InlineData(111, 0, true, 55)]
    [InlineData(109, 0, true, 54)]
    [InlineData(15, 0, true, 7)]
    [InlineData(14, 0, false, 6)]
    [InlineData(14, 0, true, 7)]
    [InlineData(56, 1, false, 28)]
    public void PoolingSizesFollowPyTorchCeilMode(int size, int padding, bool ceilMode, int expected)
    {
        // A 3×3, stride-2 max pool, summarized through the runtime's shape rule.
        var graph = new Pocket.Format.ModelGraph([
            Pocket.Format.GraphNode.Create("input", Pocket.Format.OpKind.Input, [], [1, size, size]),
            Pocket.Format.GraphNode.Create("pool", Pocket.Format.OpKind.MaxPool2d, [0], [3, 3, 2, 2, padding, padding, ceilMode ? 1 : 0]),
        ]);
        Assert.Equal([1, expected, expected], ModelSummary.Of(graph).OutputShape);
    }
}
