namespace Pocket.Training.Training;

/// <summary>What a model predicted for every sample of a test set.</summary>
public sealed record Evaluation(int Samples, int Correct, int[] Predictions)
{
    public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;
    public double Error => 1 - Accuracy;
}
