namespace PowerSync.Core.Replication;

/// <summary>
/// What replication last made durable, for metrics and health: the source commit time of the last
/// transaction committed to storage, and its LSN. Written by the replicator, read by anyone.
/// </summary>
internal sealed class ReplicationProgress
{
    private long _lastCommitTicks;
    private long _lastLsn;
    private long _commits;

    /// <summary>Source commit time of the last transaction now durable in storage.</summary>
    public DateTimeOffset? LastSourceCommit =>
        Interlocked.Read(ref _lastCommitTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The LSN of that commit.</summary>
    public Lsn LastLsn => new(unchecked((ulong)Interlocked.Read(ref _lastLsn)));

    /// <summary>Storage commits made by replication since start.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public void Committed(DateTime sourceCommitUtc, Lsn lsn)
    {
        Interlocked.Exchange(ref _lastCommitTicks, DateTime.SpecifyKind(sourceCommitUtc, DateTimeKind.Utc).Ticks);
        Interlocked.Exchange(ref _lastLsn, unchecked((long)lsn.Value));
        Interlocked.Increment(ref _commits);
    }

    /// <summary>How far behind the source replication is, as of <paramref name="now"/> (zero when idle and caught up is not knowable: null).</summary>
    public TimeSpan? Lag(DateTimeOffset now) => LastSourceCommit is { } last ? now - last : null;
}
