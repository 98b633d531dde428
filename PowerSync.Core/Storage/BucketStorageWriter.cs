namespace PowerSync.Core.Storage;

/// <summary>
/// What every store's writer does the same way, whatever the database under it. Row changes are
/// buffered; a flush diffs them against the rows' stored memberships (<see cref="RowDiff"/>), assigns op
/// ids and writes the ops into the store's open transaction; a commit stores the version's new state
/// (<see cref="VersionState.AfterCommit"/>) in that transaction and commits it, so everything between two
/// commits is atomic. After any failure the writer refuses further use; reopening resumes from the last
/// committed LSN, and replaying from there re-derives the same ops with the same op ids. A store supplies
/// the transaction and the writes; fault-injection points: <c>flush:after-ops</c>, <c>commit:before</c>,
/// <c>commit:after</c> (and <c>durable:before-sync</c> in <see cref="CommitFlusher"/>).
/// A store whose writes wait on another process (<see cref="PipelinesWrites"/>) has its flushes and commits run
/// off the caller's thread, one at a time and in order: the caller evaluates and buffers the next changes while
/// the store writes the previous buffer. A failure there is reported by the caller's next call.
/// </summary>
internal abstract class BucketStorageWriter : IBucketStorageWriter
{
    private readonly ChecksumCache _checksums;
    private readonly CommitFlusher? _durable;
    private VersionState _state; // as last committed
    private OpenTransaction? _open;
    private volatile bool _failed;
    private bool _disposed;
    // Pipelined stores: the last store step queued (each runs after the one before), a cleared buffer to swap
    // in, and the failure of a step that no caller was told of yet.
    private Task _storeWork = Task.CompletedTask;
    private ChangeBuffer? _spare;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failureToReport;

    /// <param name="version">The version this writer replicates.</param>
    /// <param name="options">The store's settings (flush thresholds, full sync, fault injection).</param>
    /// <param name="state">The version's state as last committed.</param>
    /// <param name="checksums">The store's checksum cache, told which buckets each commit changed.</param>
    /// <param name="logPath">The file the store's commits append to: with full sync it is fsynced before a commit counts.</param>
    /// <param name="logName">What that file is, for error messages.</param>
    protected BucketStorageWriter(SyncRulesVersion version, BucketStorageOptions options, VersionState state, ChecksumCache checksums, string logPath, string logName)
    {
        Version = version;
        Options = options;
        _state = state;
        _checksums = checksums;
        // With full sync, commits are flushed to disk by a second thread while this one goes on.
        if (options.FullSync) _durable = new CommitFlusher(logPath, logName, _ => _failed = true, options.FaultInjection);
    }

    public SyncRulesVersion Version { get; }

    protected BucketStorageOptions Options { get; }

    /// <summary>The changes buffered since the last flush was started.</summary>
    protected ChangeBuffer Pending { get; private set; } = new();

    /// <summary>
    /// True when the store's flushes and commits should run off the caller's thread (one at a time, in order),
    /// so that evaluating the next changes overlaps writing the last ones: for a store in another process, where
    /// the writer would otherwise wait on every round trip.
    /// </summary>
    protected virtual bool PipelinesWrites => false;

    /// <summary>
    /// True when the store writes rows that were new by assumption (<see cref="RowDiff.Compute"/>) so that a stored
    /// one fails the write with <see cref="AssumedNewRowStoredException"/> before anything of the batch is kept:
    /// then inserted rows are not looked up, and a batch that meets a stored one is computed again with lookups.
    /// </summary>
    protected virtual bool VerifiesNewRows => false;

    /// <summary>Thrown by <see cref="WriteBatch"/> when a row assumed new was stored; nothing of the batch was written.</summary>
    protected sealed class AssumedNewRowStoredException : Exception
    {
        public AssumedNewRowStoredException() : base("A row assumed new was already stored.") { }

        public AssumedNewRowStoredException(string message) : base(message) { }

        public AssumedNewRowStoredException(string message, Exception inner) : base(message, inner) { }
    }

    // Flushes left before inserts are assumed new again, after one met a stored row (a source inserting rows the
    // store has: look them up for a while instead of failing a write each time).
    private int _lookUpInsertsFor;

    protected RowDiff Diff { get; } = new();

    /// <summary>The store transaction in progress: the version's state as it will be committed, and the buckets it changed.</summary>
    protected sealed class OpenTransaction(VersionState state)
    {
        public VersionState State { get; set; } = state;
        public HashSet<string> Touched { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Runs a storage step where the store needs it (the thread its transaction belongs to).</summary>
    protected virtual T OnStoreThread<T>(Func<T> step) => step();

    /// <summary>Begins the store's transaction and reads the version's state in it.</summary>
    protected abstract VersionState BeginTransaction();

    /// <summary>Writes the ops, lookups, rows of <paramref name="batch"/> (op ids from the store's sequence) and the tables' snapshot <paramref name="progress"/>; returns the version's last op id.</summary>
    protected abstract long WriteBatch(RowDiff.Batch batch, IReadOnlyDictionary<string, TableSnapshotProgress> progress, long lastOp, HashSet<string> touched);

    /// <summary>Loads stored memberships for <see cref="RowDiff.Compute"/>.</summary>
    protected abstract void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into);

    /// <summary>Stops the other active version and activates this one, in the open transaction.</summary>
    protected abstract void Activate();

    /// <summary>Stores the version's state in the open transaction.</summary>
    protected abstract void SaveState(VersionState state);

    protected abstract void CommitTransaction();

    /// <summary>Drops the open transaction, if any, and whatever the store remembered within it.</summary>
    protected abstract void RollBackTransaction();

    /// <summary>The stored raw row of a key, or null.</summary>
    protected abstract byte[]? ReadRawRow(string table, byte[] key);

    /// <summary>Makes a committed checkpoint visible to sessions; <paramref name="trace"/> is its commit's trace context (default when untraced).</summary>
    protected abstract void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace);

    /// <summary>This version became active: the replaced version's data goes.</summary>
    protected abstract void VersionActivated();

    /// <summary>Releases the store's resources (the transaction is already rolled back).</summary>
    protected abstract ValueTask DisposeStoreAsync();

    /// <summary>The version's replication state, including what the open transaction wrote (no store step in progress).</summary>
    protected abstract Task<ReplicationState> ReadStateAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every stored row of <paramref name="table"/> (no store step in progress).</summary>
    protected abstract Task TruncateTableAsync(SourceTable table, CancellationToken cancellationToken);

    /// <summary>Records which table a relation id names (no store step in progress).</summary>
    protected abstract Task<RelationHistory> StoreRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken);

    public async Task<ReplicationState> GetStateAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        await DrainAsync().ConfigureAwait(false);
        return await ReadStateAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task TruncateAsync(SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        await DrainAsync().ConfigureAwait(false);
        await TruncateTableAsync(table, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        await DrainAsync().ConfigureAwait(false);
        return await StoreRelationAsync(relationId, table, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SaveAsync(SourceRowChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureUsable();
        Pending.Add(PendingChange.From(change));
        if (Pending.Changes.Count < Options.FlushOps && Pending.Bytes < Options.FlushBytes) return;
        if (!PipelinesWrites)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        // Two buffers at most: the one being written (wait for it) and this one, written while the caller fills the next.
        await DrainAsync().ConfigureAwait(false);
        var buffer = TakePending();
        _ = Queue(() => WriteBuffered(buffer));
    }

    public async Task<byte[]?> GetRawRowAsync(SourceTable table, string replicaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        if (Pending.Latest.TryGetValue((table.QualifiedName, replicaId), out var pending))
            return pending.Kind == RowChangeKind.Delete ? null : pending.Raw;
        // A buffer being written may hold the row: read once it is in the store's transaction.
        await DrainAsync().ConfigureAwait(false);
        return OnStoreThread(() => ReadRawRow(table.QualifiedName, SourceRowIdentity.Key(replicaId)));
    }

    public ValueTask SaveSnapshotProgressAsync(SourceTable table, TableSnapshotProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        Pending.Progress[table.QualifiedName] = progress;
        return ValueTask.CompletedTask;
    }

    public Task MarkSnapshotDoneAsync(Lsn noCheckpointBefore, CancellationToken cancellationToken)
    {
        EnsureUsable();
        return Write(commitLsn: null, snapshotDone: noCheckpointBefore).WaitAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        if (PipelinesWrites)
        {
            if (!Pending.IsEmpty)
            {
                var buffer = TakePending();
                _ = Queue(() => WriteBuffered(buffer));
            }
            await DrainAsync().ConfigureAwait(false);
        }
        else if (!Pending.IsEmpty)
        {
            OnStoreThread(() => Guarded(() => WriteBuffered(Pending)));
        }
    }

    public async Task DiscardUncommittedAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        await DrainAsync().ConfigureAwait(false);
        Pending.Clear();
        OnStoreThread(() =>
        {
            RollBack();
            return true;
        });
    }

    public Task<Checkpoint?> CommitAsync(Lsn lsn, CancellationToken cancellationToken) => StartCommit(lsn).WaitAsync(cancellationToken);

    public Task<Checkpoint?> StartCommit(Lsn lsn) => StartCommit(lsn, null);

    public Task<Checkpoint?> StartCommit(Lsn lsn, ICommitObserver? observer)
    {
        EnsureUsable();
        return Write(lsn, snapshotDone: null, observer);
    }

    public async Task<Checkpoint?> KeepaliveAsync(Lsn lsn, CancellationToken cancellationToken)
    {
        EnsureUsable();
        await DrainAsync().ConfigureAwait(false);
        // Nothing new and nothing to advance: no transaction at all.
        if (_open is null && Pending.IsEmpty && _state.ResumeLsn is { } resume && lsn <= resume)
            return _state.Checkpoint;
        return await Write(lsn, snapshotDone: null).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The open transaction, begun (checking the version is still writable) when there is none.</summary>
    protected OpenTransaction Begin()
    {
        if (_open is not null) return _open;
        var state = BeginTransaction();
        try
        {
            state.EnsureWritable(Version.Id, whileReplicating: true);
        }
        catch
        {
            RollBackTransaction();
            throw;
        }
        return _open = new OpenTransaction(state);
    }

    /// <summary>The state the open transaction will commit, if one is open.</summary>
    protected VersionState? OpenState => _open?.State;

    /// <summary>Writes <paramref name="buffer"/>'s changes into the open transaction (no commit, so neither durable nor visible yet) and empties it.</summary>
    private OpenTransaction WriteBuffered(ChangeBuffer buffer)
    {
        var open = Begin();
        try
        {
            if (!buffer.IsEmpty)
            {
                var assume = VerifiesNewRows && _lookUpInsertsFor == 0;
                if (_lookUpInsertsFor > 0) _lookUpInsertsFor--;
                long lastOp;
                try
                {
                    lastOp = WriteBatch(Diff.Compute(buffer.Changes, ReadMemberships, assume), buffer.Progress, open.State.LastOp, open.Touched);
                }
                catch (AssumedNewRowStoredException) when (assume)
                {
                    _lookUpInsertsFor = 16;
                    lastOp = WriteBatch(Diff.Compute(buffer.Changes, ReadMemberships), buffer.Progress, open.State.LastOp, open.Touched);
                }
                open.State = open.State with { LastOp = lastOp };
            }
            Options.FaultInjection?.Invoke("flush:after-ops");
        }
        finally
        {
            buffer.Clear();
            if (buffer != Pending) Volatile.Write(ref _spare, buffer);
        }
        return open;
    }

    /// <summary>Runs a step of the write path; any failure rolls the open transaction back and retires the writer.</summary>
    protected T Guarded<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e)
        {
            _failed = true;
            if (PipelinesWrites) Volatile.Write(ref _failureToReport, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e));
            RollBack();
            throw;
        }
    }

    /// <summary>Drops the open transaction (the caller's buffer is the caller's to clear).</summary>
    private void RollBack()
    {
        _open = null;
        RollBackTransaction();
    }

    /// <summary>The buffer to write, replaced by an empty one for the changes that follow (pipelined stores).</summary>
    private ChangeBuffer TakePending()
    {
        var buffer = Pending;
        Pending = Interlocked.Exchange(ref _spare, null) ?? new ChangeBuffer();
        return buffer;
    }

    /// <summary>Queues a store step after the last one (pipelined stores); it fails, without running, if one before it failed.</summary>
    private Task<T> Queue<T>(Func<T> step)
    {
        var previous = _storeWork;
        var work = Task.Run(async () =>
        {
            await previous.ConfigureAwait(false);
            return OnStoreThread(() => Guarded(step));
        });
        _storeWork = work;
        return work;
    }

    /// <summary>Waits for the store steps queued so far; a failure among them is thrown here (and so reported).</summary>
    private async Task DrainAsync()
    {
        if (!PipelinesWrites) return;
        await Reported(_storeWork).ConfigureAwait(false);
    }

    /// <summary>Awaits store work and returns its result; a failure it throws counts as told to the caller.</summary>
    private async Task<T> Reported<T>(Task<T> work)
    {
        await Reported((Task)work).ConfigureAwait(false);
        return await work.ConfigureAwait(false);
    }

    /// <summary>Awaits store work; a failure it throws counts as told to the caller.</summary>
    private async Task Reported(Task work)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _failureToReport, null);
            throw;
        }
    }

    /// <summary>Ends the storage transaction: buffered ops, rows, lookups, progress, and optionally the commit's checkpoint.</summary>
    /// <returns>A task that completes once the commit is durable and its checkpoint (if any) visible.</returns>
    private Task<Checkpoint?> Write(Lsn? commitLsn, Lsn? snapshotDone, ICommitObserver? observer = null)
    {
        if (!PipelinesWrites) return OnStoreThread(() => Guarded(() => Commit(Pending, commitLsn, snapshotDone, observer)));
        // The changes buffered so far belong to this commit; those saved after it returns, to the next.
        var buffer = TakePending();
        var commit = Queue(() => Commit(buffer, commitLsn, snapshotDone, observer));
        return Committed(commit);
    }

    private async Task<Checkpoint?> Committed(Task<Task<Checkpoint?>> commit)
    {
        var durable = await Reported(commit).ConfigureAwait(false);
        return await durable.ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="buffer"/> and commits (a store step); then publishes the commit, still within the
    /// step so that commits are published in their order. Returns a task that completes once durable and visible.
    /// </summary>
    private Task<Checkpoint?> Commit(ChangeBuffer buffer, Lsn? commitLsn, Lsn? snapshotDone, ICommitObserver? observer)
    {
        var lastOp = _state.LastOp;
        var open = WriteBuffered(buffer);
        var (state, published, activated) = open.State.AfterCommit(Version.Id, commitLsn, snapshotDone);
        if (activated) Activate();
        SaveState(state);
        Options.FaultInjection?.Invoke("commit:before");
        CommitTransaction();
        _open = null;
        _state = state;
        Options.FaultInjection?.Invoke("commit:after");

        // Cached checksums of changed buckets go before anyone can see the new checkpoint; sessions only
        // read up to a visible checkpoint, so ops committed past it never show.
        if (open.Touched.Count > 0) _checksums.BucketsChanged(Version.Id, open.Touched, state.LastOp);
        observer?.Made(state.LastOp - lastOp, open.Touched.Count, published);
        void Publish()
        {
            observer?.Durable();
            // Sessions move to the new version's checkpoint before the replaced version's data goes.
            if (published is { } cp && state.State == SyncRulesState.Active)
            {
                PublishCheckpoint(cp, observer?.Trace ?? default);
                observer?.Visible();
            }
            if (activated) VersionActivated();
        }
        if (_durable is null)
        {
            Publish();
            return Task.FromResult(state.Checkpoint);
        }
        return _durable.Enqueue(state.Checkpoint, Publish);
    }

    protected void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            // A pipelined step failed with no caller told yet: this one is, with the cause.
            Interlocked.Exchange(ref _failureToReport, null)?.Throw();
            throw new PowerSyncException(StorageErrorCodes.WriterFailed,
                $"The storage writer of sync-rules version {Version.Id} failed earlier; nothing after its last commit was kept. " +
                "Dispose it and open a new writer, which resumes from the last committed LSN.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await _storeWork.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already rolled back by the step that failed; whatever it was, the writer goes.
        }
        // Commits already made become durable (and visible) before the writer goes.
        if (_durable is not null) await _durable.DisposeAsync().ConfigureAwait(false);
        // Whatever was flushed since the last commit belongs to an unfinished source transaction: roll it back.
        Pending.Clear();
        OnStoreThread(() =>
        {
            RollBack();
            return true;
        });
        await DisposeStoreAsync().ConfigureAwait(false);
    }
}
