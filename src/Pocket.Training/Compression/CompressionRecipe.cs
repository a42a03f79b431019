using Pocket.Training.Training;

namespace Pocket.Training.Compression;

/// <summary>
/// The whole Deep Compression recipe for a model: how to prune, how to quantize, how to encode. The defaults
/// follow Han et al. (2016) Tables 2 and 3 unless a measured improvement is documented in
/// bench/results/deep-compression.md.
/// </summary>
public sealed record CompressionRecipe(PruningOptions Pruning, QuantizationOptions Quantization, PocketEncoder.Options Encoding)
{
    public static CompressionRecipe For(string model, int seed = 1)
    {
        var retrain = TrainingRecipes.Retraining(model) with { Seed = seed };
        // Han et al.'s per-layer targets and bit widths. Retraining is longer and at a higher rate than the
        // prune command's default (a tenth of the training rate, 4 epochs a round): measured in
        // bench/results/pruning.md, the default left LeNet-300-100 at 1.93 % error, this recipe at 1.60 %.
        // LeNet-300-100 is quantized to 5 bits rather than the paper's 6: measured, 6 bits gave a 27,516-byte file
        // (38.8×) at 1.64 % error, 5 bits 24,988 bytes (42.7×) at 1.61 % (bench/results/quantization.md).
        // LeNet-5 is quantized to 6-bit conv / 4-bit fc codebooks with 6 fine-tuning epochs rather than the paper's
        // 8 / 5 bits: measured, 8 / 5 bits gave 46,316 bytes (37.2×) at 0.79 %, 6 / 4 bits 41,532 bytes (41.5×) at
        // 0.80 % (bench/results/deep-compression.md).
        // LeNet-300-100's biases are stored as 4-bit codebooks instead of float32: measured on the file, 1,688 → 389
        // bytes, test error 1.55 % → 1.52 % (bench/results/deep-compression.md); other models keep float32 biases
        // except LeNet-5 (below).
        // LeNet-5 retrains 3 × 8 epochs at the training rate (0.02, cosine within each round) instead of 3 × 6 at 0.01,
        // and stores 4-bit bias codebooks: measured on libtorch's native conv path (the one taken where oneDNN's conv
        // is wrong), 3 × 6 at 0.01 gave 41,172 bytes at 0.87 %, this recipe 38,612 bytes (44.7×) at 0.78 %
        // (bench/results/libtorch-conv.md).
        // LeNet-300-100 (issue 18) keeps 6 / 7 / 20 % instead of Han's 8 / 9 / 26 %, pruned in 6 rounds of 6 epochs on
        // Zhu and Gupta's cubic schedule, and every retraining (pruning and centroid fine-tuning) also learns from the
        // stage's input model's soft targets (Distillation, weight 0.5, T = 4): measured from the same trained model,
        // 22,668 bytes (47.0×) at 1.52 % before; these keeps alone 18,116 bytes at 1.70 %, with the cubic 6 × 6
        // schedule 17,812 bytes at 1.70 %, with distillation 19,180 bytes at 1.61 %, all three 18,764 bytes (56.8×) at
        // 1.55 % (bench/results/deep-compression.md).
        // LeNet-5 (issue 18) keeps 6 % of fc1, 10 % of conv2 and 15 % of fc2 instead of Han's 8 / 12 / 19 %, every stage
        // shifts the training images by up to 2 pixels (TrainingRecipes), and pruning and fine-tuning distil from the
        // stage's input model: measured from seed 1, Han's keeps without the shift 38,612 bytes (44.7×) at 0.78 %; these
        // keeps with the shift 30,932 bytes (55.7×) at 0.60 %, with distillation too 32,364 bytes (53.3×) at 0.51 %,
        // the float model's own error (bench/results/deep-compression.md).
        // SqueezeNet (issue 17) keeps 50 % of every conv but conv1 (576 weights, kept whole) at 6 bits instead of 35 % at
        // 8, retrains at its training rate (0.01) rather than a tenth of it and distils from the input model; pruning
        // first removes the taps that only read padding (DeadConvTaps: at 28×28, 8/9 of fire6 … fire9's expand3x3).
        // Measured on v1.1 at 28×28 from the 90.06 % model of bench/results/architectures.md: the old default (35 %,
        // 8 bits, lr 0.001, no distillation, dead taps kept) gave 311,580 bytes (9.3×) at 88.51 %; this recipe
        // 179,516 bytes (16.2×) at 90.11 %.
        // MobileNet v1 (issue 17) keeps per layer what `pocket sensitivity` suggests within 0.5 points (MobileNetKeep),
        // with 5-bit codebooks and distillation; BatchNorm is stored in its inference form (BatchNormStatistics).
        // Measured on α 0.25 at 28×28 from the 89.50 % model (bench/results/architectures.md): this recipe 104,004 bytes
        // (8.5× smaller than the 880,284-byte float file) at 89.16 %; the keeps within 1 point at 6 bits 96,764 bytes
        // (9.1×) at 88.28 %; session 7's flat 25 % of every 1×1 conv at 6 bits, BatchNorm unfolded, 122,860 bytes
        // (7.3×) at 86.83 % from an 88.83 % model. Applied unchanged to α 0.5 (its 90.96 % model, session 12): 297,380
        // bytes (11.1× smaller than its float file) at 90.59 %. α 0.5 now trains 30 epochs by default (TrainingRecipes),
        // and this recipe has not yet been measured on that 91.9–92.2 % model.
        // SEP-Net (issue 17) is compressed after `pocket binarize` (its k×k convs but conv1 ±α, frozen, left alone
        // here): 35 % of every 1×1 conv and half of fc kept at 6 bits, conv1 (288 float weights) whole, with
        // distillation. Measured from the 91.88 % binarized model (float 91.92 %): this recipe 282,092 bytes at 91.99 %;
        // 50 % kept 335,524 bytes at 90.70 % (its centroid fine-tuning lost 1.4 points) (bench/results/architectures.md,
        // session 10).
        Distillation? none = null;
        var (keep, bits, biasBits, rounds, schedule, epochs, lr, distill, fineTuneEpochs) = model.ToLowerInvariant() switch
        {
            "lenet300" => ("fc1=0.06,fc2=0.07,fc3=0.2", "5", (int?)4, 6, PruningSchedule.Cubic, 6, 0.03, new Distillation(0.5, 4), 3),
            "lenet5" => ("conv1=0.66,conv2=0.1,fc1=0.06,fc2=0.15", "conv=6,fc=4", 4, 3, PruningSchedule.Geometric, 8, 0.02, new Distillation(0.5, 4), 6),
            "squeezenet1_0" or "squeezenet1_1" => ("conv=0.5,conv1=1", "conv=6", null, 3, PruningSchedule.Geometric, retrain.Epochs, TrainingRecipes.For(model).LearningRate, new Distillation(0.5, 4), 3),
            "sepnet" => ("conv=0.35,conv1=1,fc=0.5", "conv=6,fc=6", null, 3, PruningSchedule.Geometric, retrain.Epochs, retrain.LearningRate, new Distillation(0.5, 4), 3),
            "mobilenet_v1" => (MobileNetKeep, "conv=5,fc=5", null, 3, PruningSchedule.Geometric, retrain.Epochs, retrain.LearningRate, new Distillation(0.5, 4), 3),
            _ => ("conv=0.35,fc=0.1", "conv=8,fc=5", null, 3, PruningSchedule.Geometric, retrain.Epochs, retrain.LearningRate, none, 3),
        };
        var pruneRetrain = retrain with { Epochs = epochs, LearningRate = lr, WeightDecay = Math.Max(retrain.WeightDecay, 5e-4), Distill = distill };
        return new CompressionRecipe(
            new PruningOptions { Rule = PruningRule.ParseKeep(keep), Rounds = rounds, Schedule = schedule, Retrain = pruneRetrain },
            new QuantizationOptions { Bits = BitWidths.Parse(bits), FineTune = retrain with { Epochs = fineTuneEpochs, WeightDecay = 0, Distill = distill } },
            new PocketEncoder.Options(BiasBits: biasBits));
    }

    /// <summary>
    /// MobileNet v1's kept fractions: per layer the smallest level of `pocket sensitivity` (2,000 test images, levels
    /// 1 … 0.05) that lost at most 0.5 points when that layer alone was pruned, measured on α 0.25 at 28×28; layers
    /// not named are not pruned beyond their dead taps (DeadConvTaps).
    /// </summary>
    public const string MobileNetKeep =
        "block1.depthwise=0.7,block3.pointwise=0.7,block4.pointwise=0.7,block5.pointwise=0.7,block6.depthwise=0.5,block6.pointwise=0.7,block7.depthwise=0.7,block7.pointwise=0.5,block8.depthwise=0.5,block8.pointwise=0.5,block9.depthwise=0.5,block9.pointwise=0.35,block10.depthwise=0.5,block10.pointwise=0.5,block11.depthwise=0.7,block11.pointwise=0.5,block12.depthwise=0.7,block12.pointwise=0.25,block13.pointwise=0.15,fc=0.35";
}
