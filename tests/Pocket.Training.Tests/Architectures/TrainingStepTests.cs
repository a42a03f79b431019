using static TorchSharp.torch;

namespace Pocket.Training.Tests.Architectures;

[Collection(TorchRandomness.Collection)]
public sealed class TrainingStepTests
{
    /// <summary>One SGD step on a tiny fixed batch lowers that batch's loss: gradients flow through every
    /// architecture. The seed is reset before each forward so dropout draws the same mask both times. The gradient
    /// is clipped to norm 1 so the step stays small whatever the initial loss: SqueezeNet's bypasses add signals
    /// without BatchNorm, and some initialisations start with logits large enough for a plain step to overshoot.</summary>
    [Theory]
    [MemberData(nameof(ArchitectureCases.OnePerArchitecture), MemberType = typeof(ArchitectureCases))]
    public void OneStepLowersTheLoss(string name, string options, string input, int classes)
    {
        manual_seed(42);
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var shape = model.InputShape;
        using var scope = NewDisposeScope();
        var x = rand(8, shape.Channels, shape.Height, shape.Width); // pixel-like values in [0, 1)
        var y = randint(0, classes, [8], dtype: ScalarType.Int64);
        using var sgd = optim.SGD(model.parameters(), 0.001);
        model.train();

        double Loss(bool step)
        {
            manual_seed(1);
            sgd.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            if (step)
            {
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                sgd.step();
            }
            return loss.item<float>();
        }

        double before = Loss(step: true);
        double after = Loss(step: false);
        Assert.True(after < before, $"loss {before} → {after}");
    }
}
