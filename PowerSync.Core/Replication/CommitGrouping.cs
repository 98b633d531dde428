using PowerSync.Core.Storage;

namespace PowerSync.Core.Replication;

/// <summary>Where replication tells the source (and its progress) how far storage is durable.</summary>
internal interface ISourceAcknowledgement
{
    /// <summary>The position last acknowledged.</summary>
    Lsn AcknowledgedLsn { get; }

    /// <summary>Everything up to <paramref name="lsn"/> is durable: the source may drop that WAL.</summary>
    void Acknowledge(Lsn lsn);
}

/// <summary>
/// Groups source transactions into storage commits and acknowledges each to the source once it is durable.
/// A burst of small transactions shares one storage commit: a commit starts when the replicator runs out of
/// buffered changes, when the next transaction begins after the earlier ones waited
/// <see cref="IdleCommitDelay"/> (and nothing else is buffered), or after <see cref="MaxCommitDelay"/> under
/// sustained load. Commits are pipelined (the next changes are written while one flushes), at most
/// <see cref="MaxCommitsInFlight"/> at a time, and acknowledged in order, each only once durable. With
/// <paramref name="telemetry"/>, each commit is traced and measured as one batch of source transactions.
/// </summary>
internal sealed class CommitGrouping(
    Func<Lsn, ICommitObserver?, Task> startCommit,
    ISourceAcknowledgement source,
    ReplicationProgress? progress,
    TimeProvider time,
    CommitTelemetry? telemetry)
{
    public CommitGrouping(Func<Lsn, Task> startCommit, ISourceAcknowledgement source, ReplicationProgress? progress, TimeProvider time)
        : this((lsn, _) => startCommit(lsn), source, progress, time, null)
    {
    }

    /// <summary>Storage commits made but not yet durable before the replicator waits for the oldest.</summary>
    public const int MaxCommitsInFlight = 4;

    /// <summary>How long source commits may be grouped into one storage commit while changes keep arriving.</summary>
    public static readonly TimeSpan MaxCommitDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>How long source commits are grouped when the next transaction begins and nothing else is waiting.</summary>
    public static readonly TimeSpan IdleCommitDelay = TimeSpan.FromMilliseconds(20);

    private readonly Queue<(Lsn Lsn, Task Durable)> _inFlight = new();
    private Lsn? _pending;
    private long _uncommittedSince = time.GetTimestamp();

    // The batch the next commit makes (for its trace): transactions and row changes since the last commit, and
    // when the first of those transactions began (0: none began yet).
    private int _transactions;
    private long _rows;
    private long _batchStart;

    /// <summary>The end of the last source transaction saved but not yet in a storage commit.</summary>
    public Lsn? Pending => _pending;

    /// <summary>Storage commits started and not yet acknowledged.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>A source transaction ending at <paramref name="end"/> is saved; under sustained load it is committed with the ones before it.</summary>
    public void TransactionCommitted(Lsn end)
    {
        _pending = end;
        _transactions++;
        if (time.GetElapsedTime(_uncommittedSince) >= MaxCommitDelay) CommitPending();
    }

    /// <summary>
    /// A source transaction begins: the earlier ones are committed before its rows arrive (otherwise they wait for
    /// its commit, however large) once they have waited long enough, sooner when nothing else is buffered.
    /// </summary>
    public void TransactionBegins(bool nothingBuffered)
    {
        var waited = time.GetElapsedTime(_uncommittedSince);
        if (waited >= MaxCommitDelay || (waited >= IdleCommitDelay && nothingBuffered)) CommitPending();
        if (_batchStart == 0) _batchStart = time.GetTimestamp();
    }

    /// <summary>A row change (insert, update, delete) of the transaction in progress was replicated.</summary>
    public void RowChanged() => _rows++;

    /// <summary>Starts the storage commit of every source transaction saved so far; false when there was none.</summary>
    public bool CommitPending()
    {
        if (_pending is not { } lsn) return false;
        var now = time.GetTimestamp();
        var observer = telemetry?.StartCommit(lsn, time.GetElapsedTime(_batchStart == 0 ? now : _batchStart, now), _transactions, _rows);
        Task durable;
        try
        {
            durable = startCommit(lsn, observer);
        }
        catch (Exception e)
        {
            observer?.Failed(e);
            throw;
        }
        observer?.Watch(durable);
        _inFlight.Enqueue((lsn, durable));
        progress?.Committed();
        _pending = null;
        _uncommittedSince = now;
        (_transactions, _rows, _batchStart) = (0, 0, 0);
        return true;
    }

    /// <summary>
    /// The source is at <paramref name="position"/> outside any transaction. With commits waiting, they are made at
    /// that position instead (everything before it is saved); false. Otherwise every commit under way is awaited
    /// and acknowledged, and true: everything before the position is durable and may be acknowledged too.
    /// </summary>
    public async Task<bool> ReachedAsync(Lsn position, CancellationToken cancellationToken)
    {
        if (_pending is { } pending)
        {
            _pending = Lsn.Max(pending, position);
            return false;
        }
        await AcknowledgeDurableAsync(all: true, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Acknowledges <paramref name="position"/>, past every durable commit, unless it is acknowledged already.</summary>
    public bool AcknowledgePosition(Lsn position)
    {
        if (position <= source.AcknowledgedLsn) return false;
        source.Acknowledge(position);
        progress?.Durable(position);
        return true;
    }

    /// <summary>Before the next change: acknowledges the durable commits, and with a full pipeline waits until every commit is.</summary>
    public Task MakeRoomAsync(CancellationToken cancellationToken) => AcknowledgeDurableAsync(all: _inFlight.Count >= MaxCommitsInFlight, cancellationToken);

    /// <summary>Acknowledges the commits that are durable, in order; with <paramref name="all"/> awaits them all.</summary>
    public async Task AcknowledgeDurableAsync(bool all, CancellationToken cancellationToken)
    {
        while (_inFlight.TryPeek(out var commit) && (all || commit.Durable.IsCompleted))
        {
            await commit.Durable.WaitAsync(cancellationToken).ConfigureAwait(false);
            _inFlight.Dequeue();
            source.Acknowledge(commit.Lsn);
            progress?.Durable(commit.Lsn);
        }
    }

    /// <summary>Waits for <paramref name="more"/> (the next changes), acknowledging commits as they become durable meanwhile.</summary>
    public async Task<bool> WaitForChangesAsync(Task<bool> more, CancellationToken cancellationToken)
    {
        while (_inFlight.TryPeek(out var oldest) && !more.IsCompleted)
        {
            await Task.WhenAny(more, oldest.Durable).ConfigureAwait(false);
            await AcknowledgeDurableAsync(all: false, cancellationToken).ConfigureAwait(false);
        }
        return await more.ConfigureAwait(false);
    }

    /// <summary>The stream restarted from the last acknowledged position: transactions saved since the last commit are replayed.</summary>
    public void Restarted()
    {
        _pending = null;
        (_transactions, _rows, _batchStart) = (0, 0, 0);
    }
}
