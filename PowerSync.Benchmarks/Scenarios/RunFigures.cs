namespace PowerSync.Benchmarks.Scenarios;

/// <summary>Figures over repeated runs of a scenario.</summary>
internal static class RunFigures
{
    /// <summary>The median run by <paramref name="key"/> (the upper middle one for an even count).</summary>
    public static T Median<T, TKey>(IReadOnlyList<T> runs, Func<T, TKey> key) => runs.OrderBy(key).ElementAt(runs.Count / 2);
}
