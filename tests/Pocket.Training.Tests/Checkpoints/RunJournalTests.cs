using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.Checkpoints;

/// <summary>
/// Runs interrupted at every kind of point (mid-epoch, at a round's end, mid-round) and resumed from their journal
/// end bit-identical to uninterrupted runs. The interruption is a cancellation between batches, which is what a
/// kill is to the journal: the epoch in progress is lost, the last saved epoch is not. (tests/Pocket.Cli.Tests
/// kills real processes with SIGKILL.)
/// </summary>
[Collection(TorchRandomness.Collection)]
public class RunJournalTests
{
    private static readonly DatasetSplit Data = TestData.MnistSlice(1000, 300);
    private static readonly TrainingOptions Short = TrainingRecipes.For("lenet300") with { Epochs = 1, EvaluateEachEpoch = false };

    private static readonly PruningOptions Pruning = new()
    {
        Rule = PruningRule.ParseKeep("fc1=0.2,fc2=0.3,fc3=0.5"), Rounds = 2,
        Retrain = TrainingRecipes.Retraining("lenet300") with { Epochs = 2, EvaluateEachEpoch = false },
    };

    private static readonly QuantizationOptions Quantization = new()
    {
        Bits = BitWidths.Parse("4"), FineTune = TrainingRecipes.Retraining("lenet300") with { Epochs = 3, EvaluateEachEpoch = false, WeightDecay = 0 },
    };

    private static readonly Lazy<Checkpoint> Trained = new(() => TrainingRun.Run(new ModelSpec("lenet300"), Data, Short).Checkpoint);
    private static readonly Lazy<Checkpoint> Pruned = new(() => PruningRun.Run(Trained.Value, Data, Pruning).Checkpoint);

    [Theory]
    [InlineData(1)] // after round 1's first epoch
    [InlineData(2)] // after round 1's last epoch: the round is resumed with nothing left to train
    [InlineData(3)] // after round 2's first epoch
    public void Pruning_resumed_after_an_interruption_equals_an_uninterrupted_run(int epochsBeforeKill)
    {
        var whole = PruningRun.Run(Trained.Value, Data, Pruning);
        string output = TestData.TempFile(".ckpt");
        Assert.Throws<OperationCanceledException>(() => Interrupted(epochsBeforeKill, (progress, cancel) =>
        {
            using var journal = RunJournal.Open(output, resume: false);
            PruningRun.Run(Trained.Value, Data, Pruning, progress, null, cancel, journal);
        }));

        var journal = RunJournal.Open(output, resume: true);
        Assert.True(File.Exists(journal.PathOf(PruningRun.Stage)));
        var resumed = PruningRun.Run(Trained.Value, Data, Pruning, journal: journal);
        Assert.Equal(Bytes(whole.Checkpoint), Bytes(resumed.Checkpoint));
        Assert.Equal(whole.Test.Correct, resumed.Test.Correct);
        journal.Delete();
    }

    [Fact]
    public void Quantization_resumed_after_an_interruption_equals_an_uninterrupted_run()
    {
        var whole = QuantizationRun.Run(Pruned.Value, Data, Quantization);
        string output = TestData.TempFile(".ckpt");
        Assert.Throws<OperationCanceledException>(() => Interrupted(2, (progress, cancel) =>
        {
            using var journal = RunJournal.Open(output, resume: false);
            QuantizationRun.Run(Pruned.Value, Data, Quantization, progress, cancel, journal);
        }));

        var journal = RunJournal.Open(output, resume: true);
        var resumed = QuantizationRun.Run(Pruned.Value, Data, Quantization, journal: journal);
        Assert.Equal(Bytes(whole.Checkpoint), Bytes(resumed.Checkpoint));
        journal.Delete();
    }

    [Fact]
    public void Training_resumed_after_an_interruption_equals_an_uninterrupted_run()
    {
        var options = Short with { Epochs = 3 };
        var whole = TrainingRun.Run(new ModelSpec("lenet300"), Data, options);
        string output = TestData.TempFile(".ckpt");
        Assert.Throws<OperationCanceledException>(() => Interrupted(1, (progress, cancel) =>
        {
            using var journal = RunJournal.Open(output, resume: false);
            TrainingRun.Run(new ModelSpec("lenet300"), Data, options, null, progress, cancel, journal);
        }));

        var journal = RunJournal.Open(output, resume: true);
        var resumed = TrainingRun.Run(new ModelSpec("lenet300"), Data, options, journal: journal);
        Assert.Equal(Bytes(whole.Checkpoint), Bytes(resumed.Checkpoint));
        journal.Delete();
    }

    [Fact]
    public void A_model_with_dropout_resumes_with_the_same_random_draws()
    {
        // SqueezeNet's dropout draws from libtorch's generator: the journal keeps its state with the optimizer's.
        var spec = new ModelSpec("squeezenet1_1");
        var data = TestData.MnistSlice(96, 32);
        var options = TrainingRecipes.For("squeezenet1_1") with { Epochs = 2, BatchSize = 32, EvaluateEachEpoch = false };
        var whole = TrainingRun.Run(spec, data, options);
        string output = TestData.TempFile(".ckpt");
        Assert.Throws<OperationCanceledException>(() => Interrupted(1, (progress, cancel) =>
        {
            using var journal = RunJournal.Open(output, resume: false);
            TrainingRun.Run(spec, data, options, null, progress, cancel, journal);
        }));
        var journal = RunJournal.Open(output, resume: true);
        var resumed = TrainingRun.Run(spec, data, options, journal: journal);
        Assert.Equal(Bytes(whole.Checkpoint), Bytes(resumed.Checkpoint));
        journal.Delete();
    }

    [Fact]
    public void A_finished_stage_in_the_journal_is_taken_as_it_is()
    {
        string output = TestData.TempFile(".ckpt");
        PruningRun.Result first, again;
        using (var journal = RunJournal.Open(output, resume: false))
            first = PruningRun.Run(Trained.Value, Data, Pruning, journal: journal);
        int epochs = 0;
        using (var journal = RunJournal.Open(output, resume: true))
            again = PruningRun.Run(Trained.Value, Data, Pruning, p => { if (p.EpochEnd) epochs++; }, journal: journal);
        Assert.Equal(0, epochs);
        Assert.Equal(Bytes(first.Checkpoint), Bytes(again.Checkpoint));
        using (var journal = RunJournal.Open(output, resume: false)) // a fresh run clears the journal
            Assert.Null(journal.Load(PruningRun.Stage, "any"));
        Assert.Empty(Directory.EnumerateFiles(output + ".resume", "*.ckpt"));
        RunJournal.Open(output, resume: false).Delete();
    }

    [Fact]
    public void Resuming_with_other_settings_or_another_input_is_refused()
    {
        string output = TestData.TempFile(".ckpt");
        Assert.Throws<OperationCanceledException>(() => Interrupted(1, (progress, cancel) =>
        {
            using var journal = RunJournal.Open(output, resume: false);
            PruningRun.Run(Trained.Value, Data, Pruning, progress, null, cancel, journal);
        }));

        using var journal = RunJournal.Open(output, resume: true);
        var otherRule = Pruning with { Rule = PruningRule.ParseKeep("fc1=0.25,fc2=0.3,fc3=0.5") };
        var e = Assert.Throws<CheckpointException>(() => PruningRun.Run(Trained.Value, Data, otherRule, journal: journal));
        Assert.Contains("other settings", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // Removing dead taps or not changes the masks the saved progress was trained with.
        Assert.Throws<CheckpointException>(() => PruningRun.Run(Trained.Value, Data, Pruning with { RemoveDeadTaps = false }, journal: journal));
        Assert.Throws<CheckpointException>(() => PruningRun.Run(Pruned.Value, Data, Pruning, journal: journal));
        journal.Delete();
    }

    [Fact]
    public void A_second_run_on_the_same_output_is_refused_while_the_first_holds_the_journal()
    {
        string output = TestData.TempFile(".ckpt");
        using (var first = RunJournal.Open(output, resume: false))
        {
            var e = Assert.Throws<IOException>(() => RunJournal.Open(output, resume: false));
            Assert.Contains("another run", e.Message);
        }
        RunJournal.Open(output, resume: false).Delete(); // released: the next run takes it
    }

    /// <summary>Runs <paramref name="run"/> and cancels it early in the epoch after the given number of completed epochs.</summary>
    private static void Interrupted(int completedEpochs, Action<Action<TrainingProgress>, CancellationToken> run)
    {
        using var cancel = new CancellationTokenSource();
        int ended = 0;
        run(p => { if (p.EpochEnd && ++ended == completedEpochs) cancel.Cancel(); }, cancel.Token);
    }

    private static byte[] Bytes(Checkpoint checkpoint)
    {
        using var stream = new MemoryStream();
        checkpoint.WriteTo(stream);
        return stream.ToArray();
    }
}
