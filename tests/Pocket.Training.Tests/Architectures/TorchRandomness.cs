namespace Pocket.Training.Tests.Architectures;

/// <summary>
/// torch's random generator is process-wide, so test classes that seed it and then build or feed models must not run
/// in parallel with each other, or they would draw each other's numbers. Classes in this collection run one at a time.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class TorchRandomness
{
    public const string Collection = "torch random generator";
}
