namespace Pocket.Training.Training;

/// <summary>Where a training run is, reported after every batch and at the end of every epoch.</summary>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches, double Loss, double? TestAccuracy, TimeSpan Elapsed, bool EpochEnd)
{
    /// <summary>Fraction done, 0 to 1.</summary>
    public double Fraction => ((Epoch - 1) + (double)Batch / Math.Max(1, Batches)) / Math.Max(1, Epochs);

    public TimeSpan Eta => Fraction <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Elapsed.TotalSeconds * (1 - Fraction) / Fraction);
}
