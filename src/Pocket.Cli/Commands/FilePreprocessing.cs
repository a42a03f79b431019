using Pocket.Runtime;
using Pocket.Runtime.Input;

namespace Pocket.Cli.Commands;

/// <summary>The preprocessing a loaded .pocket file stores in its metadata; a malformed value is one line naming the file and key (exit 1).</summary>
public static class FilePreprocessing
{
    public static Preprocessing Of(PocketNetwork network, string file)
    {
        try { return Preprocessing.FromMetadata(network.Metadata, network.InputShape.Channels); }
        catch (PreprocessingException e) { throw new InputException($"{file}: {e.Message}"); }
    }
}
