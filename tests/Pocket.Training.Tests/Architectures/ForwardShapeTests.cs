using static TorchSharp.torch;

namespace Pocket.Training.Tests.Architectures;

[Collection(TorchRandomness.Collection)]
public sealed class ForwardShapeTests
{
    [Theory]
    [MemberData(nameof(ArchitectureCases.Small), MemberType = typeof(ArchitectureCases))]
    public void ForwardGivesOneRowOfClassScoresPerSample(string name, string options, string input, int classes)
    {
        using var model = ArchitectureCases.Create(name, options, input, classes);
        var shape = model.InputShape;
        using var scope = NewDisposeScope();
        model.eval();
        var y = model.forward(randn(2, shape.Channels, shape.Height, shape.Width));
        Assert.Equal([2L, classes], y.shape);
        model.train();
        Assert.Equal([2L, classes], model.forward(randn(2, shape.Channels, shape.Height, shape.Width)).shape);
    }

    [Fact]
    public void IdentityBypassNeedsMatchingChannels() =>
        Assert.Throws<ArgumentException>(() => new Models.SqueezeNetFire("fire2", 96, 16, 64, Models.FireBypass.Identity));

    [Fact]
    public void UnknownBypassIsRejected() =>
        Assert.Throws<ArgumentException>(() => ArchitectureCases.Create("squeezenet1_1", "bypass=sideways", "1x32x32", 10));
}
