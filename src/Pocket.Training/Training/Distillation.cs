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
/// <param name="Weight">The soft targets' share of the loss, in [0, 1].</param>
/// <param name="Temperature">T &gt; 0: how much the teacher's small probabilities are lifted; T² keeps the gradients' scale.</param>
public sealed record Distillation(double Weight, double Temperature)
{
    public Distillation Validated() =>
        Weight is >= 0 and <= 1 && double.IsFinite(Temperature) && Temperature > 0 ? this
        : throw new ArgumentException($"distillation: weight {Weight} must be in [0, 1] and temperature {Temperature} positive");

    public override string ToString() => $"distill {Weight:R} at T={Temperature:R}";
}
