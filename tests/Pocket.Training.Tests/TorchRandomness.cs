using TorchSharp;

namespace Pocket.Training.Tests;

/// <summary>
/// torch's random generator is process-wide, so test classes that seed it and then build, train or feed models must not run
/// in parallel with each other, or they would draw each other's numbers. Classes in this collection run one at a time.
/// The fixture also makes torch single-threaded: these tensors are tiny, and on a loaded 2-core machine torch's
/// intra-op threads spend their time waiting on each other (the suite took 3½ minutes instead of 12 s).
/// </summary>
[CollectionDefinition(Collection)]
public sealed class TorchRandomness : ICollectionFixture<TorchRandomness.SingleThreaded>
{
    public const string Collection = "torch random generator";

    public sealed class SingleThreaded
    {
        public SingleThreaded() => torch.set_num_threads(1);
    }
}
