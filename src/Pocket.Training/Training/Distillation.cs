namespace Pocket.Training.Training;

/// <summary>
/// Retraining against a teacher's soft targets as well as the labels (Hinton, Vinyals and Dean 2015, "Distilling
/// the Knowledge in a Neural Network"): loss = (1 − <see cref="Weight"/>) · CE(student, label) +
/// <see cref="Weight"/> · T² · KL(softmax(teacher / T) ‖ softmax(student / T)).
/// <para>
/// Why in a compression toolkit: a pruned or quantized network is retrained to do what the network before it did,
/// and the uncompressed network's outputs say far more about that than one-hot labels do (which wrong classes an
/// image is close to). The teacher is the stage's own input model, so no second model needs to be trained.
/// </para>
/// </summary>
/// <remarks>
/// Weight: the soft targets' share of the loss, in [0, 1]. Temperature: T &gt; 0, how much the teacher's small
/// probabilities are lifted; T² keeps the gradients' scale.
/// </remarks>
public sealed record Distillation
{
    public Distillation(double weight, double temperature)
    {
        if ((WeightProblem(weight) ?? TemperatureProblem(temperature)) is { } problem) throw new ArgumentException($"distillation: {problem}");
        Weight = weight;
        Temperature = temperature;
    }

    /// <summary>Why <paramref name="weight"/> cannot be a distillation weight, or null if it can.</summary>
    public static string? WeightProblem(double weight) => weight is >= 0 and <= 1 ? null : $"{weight} is not a weight in [0, 1]";

    /// <summary>Why <paramref name="temperature"/> cannot be a distillation temperature, or null if it can.</summary>
    public static string? TemperatureProblem(double temperature) =>
        temperature > 0 && double.IsFinite(temperature) ? null : $"{temperature} is not a positive temperature";

    public double Weight { get; }
    public double Temperature { get; }

    public override string ToString() => $"distill {Weight:R} at T={Temperature:R}";
}
