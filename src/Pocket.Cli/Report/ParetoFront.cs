namespace Pocket.Cli.Report;

/// <summary>
/// Marks the Pareto front of size against error, per model: a file is on it when every smaller-or-equal file of the
/// same model has a higher error. Ties in size go to the lower error; equal points are both on the front.
/// </summary>
public static class ParetoFront
{
    public static IReadOnlyList<ParetoPoint> Mark(IEnumerable<ParetoPoint> points)
    {
        var all = points.ToList();
        return all.Select(p => p with
        {
            OnFront = !all.Any(q => q.Model == p.Model && q.FileBytes <= p.FileBytes && q.TestError <= p.TestError
                                    && (q.FileBytes < p.FileBytes || q.TestError < p.TestError)),
        }).ToList();
    }
}
