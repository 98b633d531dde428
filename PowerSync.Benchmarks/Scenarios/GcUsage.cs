namespace PowerSync.Benchmarks.Scenarios;

/// <summary>The garbage collector's counters for the whole process; <see cref="Since"/> gives what a timed part cost.</summary>
internal readonly record struct GcUsage(long AllocatedBytes, TimeSpan Paused, int FullCollections)
{
    public static GcUsage Now() => new(GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));

    /// <summary>The usage from <paramref name="start"/> until now.</summary>
    public static GcUsage Since(GcUsage start)
    {
        var now = Now();
        return new GcUsage(now.AllocatedBytes - start.AllocatedBytes, now.Paused - start.Paused, now.FullCollections - start.FullCollections);
    }
}
