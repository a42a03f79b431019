using System.Globalization;
using System.Security.Cryptography;

namespace Pocket.Training.Checkpoints;

/// <summary>
/// What lets a long run survive being killed. Beside the output it will write, a run keeps a journal folder
/// (<c>OUT.resume/</c>) with one checkpoint per stage (<c>train.ckpt</c>, <c>prune.ckpt</c>, <c>quantize.ckpt</c>),
/// rewritten atomically after every epoch: the weights, masks and optimizer state so far, which round and epoch
/// they belong to, and the run's settings. When a stage ends, its finished result replaces its progress, so a
/// resumed <c>compress</c> skips the stages already done. The journal lives apart from the output so that the
/// output a user already had stays untouched until the new run has finished; it is deleted once the output is
/// written. While a run holds its journal it holds an exclusive lock on it (<c>OUT.resume/lock</c>), so a second
/// run writing the same output is refused at once instead of clearing or mixing the first one's progress.
/// </summary>
public sealed class RunJournal : IDisposable
{
    // Journal bookkeeping lives in metadata keys with this prefix; they are stripped before a checkpoint is handed back.
    private const string Prefix = "journal.";
    // The trainer's own state (optimizer, random generator) rides in the progress checkpoint's extra arrays.
    private const string TrainerStateKey = "optimizer";
    private const string StateKey = Prefix + "state", SettingsKey = Prefix + "settings", RoundKey = Prefix + "round", EpochsKey = Prefix + "completed_epochs";

    /// <summary>A stage's saved progress: its checkpoint (journal keys removed) and where in the stage it was taken.</summary>
    /// <param name="Finished">The stage's final result rather than progress within it.</param>
    /// <param name="Round">Pruning round the progress belongs to (1 for single-round stages).</param>
    /// <param name="CompletedEpochs">Epochs of that round already trained.</param>
    public sealed record Entry(Checkpoint Checkpoint, bool Finished, int Round, int CompletedEpochs);

    private FileStream? _lock;

    private RunJournal(string folder, bool resume, FileStream lockFile)
    {
        Folder = folder;
        Resume = resume;
        _lock = lockFile;
    }

    /// <summary>The folder holding the journal.</summary>
    public string Folder { get; }

    /// <summary>Whether saved progress is picked up (--resume) rather than ignored.</summary>
    public bool Resume { get; }

    /// <summary>
    /// Takes the journal of the run that writes <paramref name="outputPath"/>. A fresh run (not
    /// <paramref name="resume"/>) clears what an earlier run left, so stale stages can never be mistaken for this
    /// run's. Throws a one-line <see cref="IOException"/> if another run holds it.
    /// </summary>
    public static RunJournal Open(string outputPath, bool resume)
    {
        string folder = Path.GetFullPath(outputPath) + ".resume";
        Directory.CreateDirectory(folder);
        FileStream lockFile;
        try
        {
            // FileShare.None is an exclusive flock on Unix: released by the kernel when the holder dies, even by SIGKILL.
            lockFile = new FileStream(Path.Combine(folder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{outputPath}: another run is writing this output (its journal {folder} is locked)", e);
        }
        var journal = new RunJournal(folder, resume, lockFile);
        if (!resume)
            foreach (var stale in Directory.EnumerateFiles(folder, "*.ckpt")) File.Delete(stale);
        return journal;
    }

    public string PathOf(string stage) => Path.Combine(Folder, stage + ".ckpt");

    /// <summary>
    /// The saved progress of <paramref name="stage"/> when resuming, or null when there is none (or not resuming).
    /// Progress saved under other settings is refused with a one-line <see cref="CheckpointException"/>: continuing
    /// it would silently mix two different runs.
    /// </summary>
    public Entry? Load(string stage, string settings)
    {
        string path = PathOf(stage);
        if (!Resume || !File.Exists(path)) return null;
        var checkpoint = Checkpoint.Load(path);
        settings = WithLibTorchSettings(settings);
        string? saved = checkpoint.Metadata.GetValueOrDefault(SettingsKey);
        if (saved != settings)
            throw new CheckpointException($"{path}: an unfinished run with other settings ({saved ?? "unknown"}); " +
                "pass the same flags, or run without --resume to start afresh");
        bool finished = checkpoint.Metadata.GetValueOrDefault(StateKey) == "finished";
        int round = ReadInt(checkpoint, RoundKey, path), epochs = ReadInt(checkpoint, EpochsKey, path);
        foreach (var key in checkpoint.Metadata.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).ToList())
            checkpoint.Metadata.Remove(key);
        return new Entry(checkpoint, finished, round, epochs);
    }

    /// <summary>
    /// The trainer's per-epoch hook for one round of a stage: after every epoch, <paramref name="capture"/> (the
    /// stage's weights, masks, centroids…) is saved with the trainer's state as progress of <paramref name="round"/>.
    /// <paramref name="resumeFrom"/> is the unfinished entry of that same round, if the run resumes inside it.
    /// </summary>
    public Training.EpochCheckpointing Checkpointing(string stage, string settings, int round, Entry? resumeFrom, Func<Checkpoint> capture) => new()
    {
        CompletedEpochs = resumeFrom?.CompletedEpochs ?? 0,
        OptimizerState = resumeFrom?.Checkpoint.Extra.GetValueOrDefault(TrainerStateKey)?.AsBytes(),
        Save = (epoch, trainerState) =>
        {
            var partial = capture();
            partial.Extra[TrainerStateKey] = CheckpointTensor.FromBytes(trainerState, [trainerState.Length]);
            Write(stage, settings, partial, "progress", round, epoch);
        },
    };

    /// <summary>Records a stage's final result, which a resumed run takes as it is.</summary>
    public void SaveFinished(string stage, string settings, Checkpoint result) => Write(stage, settings, result, "finished", 0, 0);

    /// <summary>Removes the journal, once the output is written, and releases it.</summary>
    public void Delete()
    {
        Dispose();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Releases the journal, removing it if nothing was saved in it (a run that failed before its first epoch).</summary>
    public void DeleteIfEmpty()
    {
        Dispose();
        try
        {
            if (Directory.Exists(Folder) && !Directory.EnumerateFiles(Folder, "*.ckpt").Any()) Directory.Delete(Folder, recursive: true);
        }
        catch (IOException) { } // best effort: an empty folder left behind costs nothing
    }

    /// <summary>Releases the lock; the saved progress stays for a later --resume.</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>
    /// A short digest of a checkpoint's arrays (weights, masks, codebooks, binarization), in name order, so a
    /// stage's settings can name its input: resuming on a different input is refused like other settings.
    /// </summary>
    public static string Fingerprint(Checkpoint checkpoint)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string name, ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\0"));
            hash.AppendData(bytes);
        }
        foreach (var (name, t) in checkpoint.State.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add("state/" + name, t.Data);
        foreach (var (name, m) in checkpoint.Masks.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add("mask/" + name, m);
        foreach (var (name, q) in checkpoint.Quantization.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Add("codebook/" + name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(q.Codebook.AsSpan()));
            Add("codes/" + name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(q.Codes.AsSpan()));
        }
        foreach (var (name, a) in checkpoint.Binarization.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Add("alpha/" + name, System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        // An imported model's network is its graph: the same weights in another graph are another input. (A zoo
        // checkpoint has none, so its fingerprint is what it was.)
        if (checkpoint.Graph is { } graph) Add("graph", System.Text.Encoding.UTF8.GetBytes(CheckpointGraph.ToJson(graph).ToJsonString()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private void Write(string stage, string settings, Checkpoint checkpoint, string state, int round, int epochs)
    {
        Directory.CreateDirectory(Folder);
        // A copy, so the caller's checkpoint (often the stage's result) never carries journal keys into the output.
        var copy = new Checkpoint
        {
            Model = checkpoint.Model, Input = checkpoint.Input, Classes = checkpoint.Classes, Dataset = checkpoint.Dataset,
            Graph = checkpoint.Graph,
            Metadata = new Dictionary<string, string>(checkpoint.Metadata)
            {
                [StateKey] = state, [SettingsKey] = WithLibTorchSettings(settings),
                [RoundKey] = round.ToString(CultureInfo.InvariantCulture), [EpochsKey] = epochs.ToString(CultureInfo.InvariantCulture),
            },
            State = checkpoint.State, Masks = checkpoint.Masks, Quantization = checkpoint.Quantization,
            Binarization = checkpoint.Binarization, Extra = checkpoint.Extra,
        };
        copy.Save(PathOf(stage));
    }

    // libtorch's results depend on its thread count and on its conv path (oneDNN or its own kernels, which
    // TorchBackend picks per CPU), so a run resumed with another count or path would not be the same run.
    private static string WithLibTorchSettings(string settings) =>
        $"{settings}, {Training.TorchThreads.Count} libtorch thread(s), conv on {Training.TorchBackend.ConvPathDescription}";

    private static int ReadInt(Checkpoint checkpoint, string key, string path) =>
        int.TryParse(checkpoint.Metadata.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new CheckpointException($"{path}: journal metadata '{key}' is missing or not a count");
}
