using System.Diagnostics.Metrics;

namespace PowerSync.Core.Replication;

/// <summary>Replication's instruments, on the <c>PowerSync.Replication</c> meter (docs/operations.md, "Metrics").</summary>
internal sealed class ReplicationMetrics : IDisposable
{
    /// <summary>Bucket boundaries (seconds) for commit latencies: from half a millisecond (no fsync) to ten seconds (a stalled disk).</summary>
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;

    /// <param name="factory">The app's meter factory; without one the meter is the library's own.</param>
    /// <param name="lag">How far replication is behind the source (null before it reported anything).</param>
    /// <param name="commits">Storage commits made by replication so far.</param>
    public ReplicationMetrics(IMeterFactory? factory, Func<TimeSpan?> lag, Func<long> commits)
    {
        _meter = factory?.Create(PowerSyncTelemetry.ReplicationMeterName) ?? new Meter(PowerSyncTelemetry.ReplicationMeterName);
        _meter.CreateObservableGauge("powersync.replication.lag", () => lag()?.TotalSeconds ?? 0, "s",
            "How long ago the source was at the oldest position replication has not made durable yet (zero when caught up).");
        _meter.CreateObservableCounter("powersync.replication.storage_commits", commits,
            description: "Storage commits (checkpoints) made by replication.");
        CommitDuration = _meter.CreateHistogram("powersync.replication.commit.duration", "s",
            "Storage commits made by replication: from the start of the commit until it is durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        CheckpointDelay = _meter.CreateHistogram("powersync.replication.checkpoint.delay", "s",
            "From the start of a storage commit until its checkpoint is broadcast to sync sessions.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    /// <summary>Storage commit start to durable, in seconds.</summary>
    public Histogram<double> CommitDuration { get; }

    /// <summary>Storage commit start to checkpoint broadcast, in seconds.</summary>
    public Histogram<double> CheckpointDelay { get; }

    /// <summary>Whether anyone records the commit histograms.</summary>
    public bool CommitsObserved => CommitDuration.Enabled || CheckpointDelay.Enabled;

    public void Dispose() => _meter.Dispose();
}
