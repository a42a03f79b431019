using Pocket.Runtime.Input;

namespace Pocket.Training.Checkpoints;

/// <summary>The preprocessing a checkpoint's metadata stores (its <c>preprocess.*</c> keys), checked against its input.</summary>
public static class CheckpointPreprocessing
{
    /// <param name="source">The checkpoint's file, named in the one-line error for a malformed value.</param>
    public static Preprocessing Of(Checkpoint checkpoint, string source)
    {
        try { return Preprocessing.FromMetadata(checkpoint.Metadata, checkpoint.Input.Channels); }
        catch (PreprocessingException e) { throw new CheckpointException($"{source}: {e.Message}"); }
    }
}
