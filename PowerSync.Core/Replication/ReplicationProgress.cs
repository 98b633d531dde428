namespace PowerSync.Core.Replication;

/// <summary>
/// How replication of one sync-rules version stands now, for metrics and health: whether its stream is
/// connected, the failure it is in (cleared once it streams again), and how far it lags behind the source.
/// Written by the replicator (and by health probes, which report where the source is), read by anyone.
/// </summary>
/// <remarks>
/// Lag is measured against the source's progress, not as time since the last commit: every time the
/// source is seen at a position (a transaction's commit time, a keepalive's position, a health probe's
/// current WAL position) that position is remembered with the time the source was there; once replication
/// has made that position durable it is forgotten. The lag is the age of the oldest position not yet
/// durable, so it is zero on an idle source that is caught up and grows only while the source is ahead.
/// </remarks>
internal sealed class ReplicationProgress(TimeProvider time)
{
    /// <summary>Source positions seen within this long of each other share one entry (the lag is that coarse at most).</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromSeconds(1);

    /// <summary>Entries kept at most; beyond it the newest entry absorbs new positions.</summary>
    private const int MaxEntries = 512;

    private readonly Lock _lock = new();
    private readonly Queue<(Lsn Lsn, DateTimeOffset At)> _ahead = new(); // oldest first, below _open
    private (Lsn Lsn, DateTimeOffset At)? _open; // the newest entry, still taking later positions
    private Lsn _highest;
    private Lsn _durable;
    private bool _seen;
    private volatile bool _connected;
    private volatile ReplicationFailure? _failure;
    private long _commits;

    public ReplicationProgress()
        : this(TimeProvider.System)
    {
    }

    /// <summary>The stream delivers messages on a live connection.</summary>
    public bool Connected => _connected;

    /// <summary>The failure replication is in now; null while it works.</summary>
    public ReplicationFailure? Failure => _failure;

    /// <summary>Storage commits made by replication since start.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The position last made durable and acknowledged to the source.</summary>
    public Lsn DurableLsn
    {
        get
        {
            lock (_lock) return _durable;
        }
    }

    /// <summary>The stream delivered something: it is connected and whatever failure there was is over. Returns true when it recovered.</summary>
    public bool Streaming()
    {
        if (_connected && _failure is null) return false;
        var recovered = _failure is not null;
        _failure = null;
        _connected = true;
        return recovered;
    }

    /// <summary>Replication fails now (the stream lost its connection, or a run failed and is retried).</summary>
    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _connected = false;
        _failure = new ReplicationFailure(ReplicationFailure.CodeOf(exception), exception.Message, exception, time.GetUtcNow());
    }

    /// <summary>Replication of the version ended (stopped or replaced): nothing streams.</summary>
    public void Stopped() => _connected = false;

    /// <summary>The source was at <paramref name="lsn"/> (at least) at <paramref name="at"/>.</summary>
    public void SourceAt(Lsn lsn, DateTimeOffset at)
    {
        lock (_lock)
        {
            _seen = true;
            if (lsn <= _durable || lsn <= _highest) return;
            _highest = lsn;
            var now = time.GetUtcNow();
            if (at > now) at = now; // a source clock ahead of ours
            if (_open is { } open && (at - open.At < Coalesce || _ahead.Count >= MaxEntries))
            {
                // The newest entry takes the position: it counts as reached a little earlier than it was.
                _open = (lsn, open.At);
                return;
            }
            if (_open is { } sealedEntry) _ahead.Enqueue(sealedEntry);
            _open = (lsn, at);
        }
    }

    /// <summary>Everything up to <paramref name="lsn"/> is durable in storage and acknowledged to the source.</summary>
    public void Durable(Lsn lsn)
    {
        lock (_lock)
        {
            _seen = true;
            if (lsn <= _durable) return;
            _durable = lsn;
            while (_ahead.TryPeek(out var oldest) && oldest.Lsn <= lsn) _ahead.Dequeue();
            if (_ahead.Count == 0 && _open is { } open && open.Lsn <= lsn) _open = null;
        }
    }

    /// <summary>A storage commit was made (for the commit counter).</summary>
    public void Committed() => Interlocked.Increment(ref _commits);

    /// <summary>
    /// How long ago the source was at the oldest position replication has not made durable yet: zero when
    /// caught up; null before replication reported anything.
    /// </summary>
    public TimeSpan? Lag()
    {
        lock (_lock)
        {
            if (!_seen) return null;
            DateTimeOffset since;
            if (_ahead.TryPeek(out var oldest)) since = oldest.At;
            else if (_open is { } open) since = open.At;
            else return TimeSpan.Zero;
            var lag = time.GetUtcNow() - since;
            return lag > TimeSpan.Zero ? lag : TimeSpan.Zero;
        }
    }
}

/// <summary>A failure replication is in: its code, message, cause and since when.</summary>
internal sealed record ReplicationFailure(string Code, string Message, Exception Exception, DateTimeOffset Since)
{
    /// <summary>
    /// The code of a replication failure: a <see cref="PowerSyncException"/>'s own code, else
    /// <see cref="ReplicationErrorCodes.ConnectionLost"/> for connection failures and
    /// <see cref="ReplicationErrorCodes.SourceQueryFailed"/> for other errors Postgres reported, and
    /// <see cref="ReplicationErrorCodes.AssertionFailed"/> for anything else.
    /// </summary>
    public static string CodeOf(Exception exception) => exception switch
    {
        PowerSyncException p => p.Code,
        _ when ReconnectingReplicationStream.IsTransient(exception, CancellationToken.None) => ReplicationErrorCodes.ConnectionLost,
        Npgsql.PostgresException => ReplicationErrorCodes.SourceQueryFailed,
        _ => ReplicationErrorCodes.AssertionFailed,
    };
}
