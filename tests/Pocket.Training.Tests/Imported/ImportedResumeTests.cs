using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Imported;

/// <summary>The resume journal keeps an imported model's graph: an interrupted run on it resumes to the same bytes.</summary>
[Collection(TorchRandomness.Collection)]
public class ImportedResumeTests
{
    private static readonly DatasetSplit Data = TestData.MnistSlice(500, 100);

    [Fact]
    public void Pruning_an_imported_model_resumed_after_an_interruption_equals_an_uninterrupted_run()
    {
        Checkpoint start = ImportedFixtures.Checkpoint("mlp_opset11.onnx", "mnist");
        var options = new PruningOptions
        {
            Rule = PruningRule.ParseKeep("fc=0.2"), Rounds = 1,
            Retrain = TrainingRecipes.Retraining(GraphModule.ImportedModelName) with { Epochs = 2, EvaluateEachEpoch = false },
        };
        var whole = PruningRun.Run(start, Data, options);

        string output = TestData.TempFile(".ckpt");
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() =>
            {
                using var journal = RunJournal.Open(output, resume: false);
                PruningRun.Run(start, Data, options, p => { if (p.EpochEnd) cancel.Cancel(); }, null, cancel.Token, journal);
            });
        }
        var resumedJournal = RunJournal.Open(output, resume: true);
        Assert.NotNull(Checkpoint.Load(resumedJournal.PathOf(PruningRun.Stage)).Graph);
        var resumed = PruningRun.Run(start, Data, options, journal: resumedJournal);
        resumedJournal.Delete();

        Assert.NotNull(resumed.Checkpoint.Graph);
        Assert.Equal(Bytes(whole.Checkpoint), Bytes(resumed.Checkpoint));
    }

    [Fact]
    public void The_same_weights_in_another_graph_are_another_input_to_a_resumed_run()
    {
        Checkpoint relu = ImportedFixtures.Checkpoint("mlp_opset11.onnx", "mnist");
        var nodes = relu.Graph!.Nodes.Select(n => n.Op == OpKind.Relu ? n with { Op = OpKind.Sigmoid } : n).ToArray();
        Assert.Contains(relu.Graph.Nodes, n => n.Op == OpKind.Relu);
        var sigmoid = new Checkpoint
        {
            Model = relu.Model, Input = relu.Input, Classes = relu.Classes, Dataset = relu.Dataset, State = relu.State,
            Graph = new ModelGraph(nodes),
        };
        Assert.Equal(RunJournal.Fingerprint(relu), RunJournal.Fingerprint(ImportedFixtures.Checkpoint("mlp_opset11.onnx", "mnist")));
        Assert.NotEqual(RunJournal.Fingerprint(relu), RunJournal.Fingerprint(sigmoid));
    }

    private static byte[] Bytes(Checkpoint checkpoint)
    {
        using var stream = new MemoryStream();
        checkpoint.WriteTo(stream);
        return stream.ToArray();
    }
}
