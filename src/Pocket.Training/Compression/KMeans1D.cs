namespace Pocket.Training.Compression;

/// <summary>
/// Lloyd's k-means on scalars, exploiting the one dimension: after one sort, every cluster is a contiguous run
/// of the sorted values (its boundaries are the midpoints between neighbouring centroids), so an iteration is a
/// binary search per boundary plus prefix sums: O(k log n) rather than O(n k), with no pairwise distances.
/// </summary>
public static class KMeans1D
{
    public sealed record Result(float[] Centroids, int Iterations);

    /// <summary>Clusters <paramref name="values"/> into at most <paramref name="k"/> centroids, returned in ascending order.</summary>
    public static Result Fit(ReadOnlySpan<float> values, int k, CentroidInitialization init, int seed = 1, int maxIterations = 300)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        if (values.Length == 0) return new Result([], 0);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var prefix = new double[sorted.Length + 1];
        for (int i = 0; i < sorted.Length; i++) prefix[i + 1] = prefix[i] + sorted[i];

        double[] centroids = Initialize(sorted, Math.Min(k, sorted.Length), init, seed);
        var starts = new int[centroids.Length + 1];
        int iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            Array.Sort(centroids);
            Boundaries(sorted, centroids, starts);
            bool moved = false;
            for (int c = 0; c < centroids.Length; c++)
            {
                int count = starts[c + 1] - starts[c];
                if (count == 0) continue; // an empty cluster keeps its place; it may win points later
                double mean = (prefix[starts[c + 1]] - prefix[starts[c]]) / count;
                if (mean != centroids[c]) { centroids[c] = mean; moved = true; }
            }
            if (!moved) break;
        }
        // Drop clusters that ended empty: a codebook entry no weight uses costs bits for nothing.
        Array.Sort(centroids);
        Boundaries(sorted, centroids, starts);
        var used = new List<float>();
        for (int c = 0; c < centroids.Length; c++)
            if (starts[c + 1] > starts[c]) used.Add((float)centroids[c]);
        return new Result(used.Distinct().ToArray(), iteration + 1);
    }

    /// <summary>Index of the nearest centroid (ascending centroids; ties go to the lower one).</summary>
    public static int Nearest(ReadOnlySpan<float> centroids, float value)
    {
        int lo = 0, hi = centroids.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            // value belongs right of the midpoint between mid and mid+1?
            if (value > (centroids[mid] + (double)centroids[mid + 1]) / 2) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    public static double[] Initialize(float[] sorted, int k, CentroidInitialization init, int seed)
    {
        var c = new double[k];
        int n = sorted.Length;
        switch (init)
        {
            case CentroidInitialization.Linear:
                double min = sorted[0], max = sorted[n - 1];
                for (int i = 0; i < k; i++) c[i] = k == 1 ? (min + max) / 2 : min + (max - min) * i / (k - 1);
                break;
            case CentroidInitialization.Density:
                // Quantiles at evenly spaced CDF levels, (i + 0.5) / k, so no centroid sits on the extreme values.
                for (int i = 0; i < k; i++) c[i] = sorted[Math.Min(n - 1, (int)((i + 0.5) * n / k))];
                break;
            case CentroidInitialization.Random:
                var rng = new Random(seed);
                var picks = new HashSet<int>();
                while (picks.Count < k) picks.Add(rng.Next(n));
                int j = 0;
                foreach (int p in picks) c[j++] = sorted[p];
                break;
        }
        return c;
    }

    /// <summary>starts[c] = first sorted index assigned to centroid c (nearest; ties to the lower centroid).</summary>
    private static void Boundaries(float[] sorted, double[] centroids, int[] starts)
    {
        starts[0] = 0;
        for (int c = 1; c < centroids.Length; c++)
        {
            double mid = (centroids[c - 1] + centroids[c]) / 2;
            // first index with value > mid
            int lo = starts[c - 1], hi = sorted.Length;
            while (lo < hi)
            {
                int m = (lo + hi) >>> 1;
                if (sorted[m] > mid) hi = m; else lo = m + 1;
            }
            starts[c] = lo;
        }
        starts[centroids.Length] = sorted.Length;
    }
}
