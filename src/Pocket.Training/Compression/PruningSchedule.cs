namespace Pocket.Training.Compression;

/// <summary>How the kept fraction moves from 1 to the target over the prune → retrain rounds.</summary>
public enum PruningSchedule
{
    /// <summary>keep_r = keep^(r/R): every round removes the same share of what is left.</summary>
    Geometric,

    /// <summary>Zhu &amp; Gupta (2017): sparsity s_r = s (1 − (1 − r/R)³); prunes fast early, gently at the end.</summary>
    Cubic,
}

public static class PruningScheduleMath
{
    /// <summary>The fraction to keep after round <paramref name="round"/> of <paramref name="rounds"/>.</summary>
    public static double KeepAt(PruningSchedule schedule, double finalKeep, int round, int rounds)
    {
        double t = Math.Clamp((double)round / rounds, 0, 1);
        return schedule switch
        {
            PruningSchedule.Cubic => 1 - (1 - finalKeep) * (1 - Math.Pow(1 - t, 3)),
            _ => Math.Pow(finalKeep, t),
        };
    }
}
