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
/// </summary>
internal abstract class BucketStorageWriter : IBucketStorageWriter
{
    private readonly ChecksumCache _checksums;
    private readonly CommitFlusher? _durable;
    private VersionState _state; // as last committed
    private OpenTransaction? _open;
    private volatile bool _failed;
    private bool _disposed;

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

    protected ChangeBuffer Pending { get; } = new();

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

    /// <summary>Writes the ops, lookups, rows and progress of <paramref name="batch"/> (op ids from the store's sequence); returns the version's last op id.</summary>
    protected abstract long WriteBatch(RowDiff.Batch batch, long lastOp, HashSet<string> touched);

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
    protected abstract void DisposeStore();

    public abstract Task<ReplicationState> GetStateAsync(CancellationToken cancellationToken);

    public abstract Task TruncateAsync(SourceTable table, CancellationToken cancellationToken);

    public abstract Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken);

    public async ValueTask SaveAsync(SourceRowChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureUsable();
        Pending.Add(PendingChange.From(change));
        if (Pending.Changes.Count >= Options.FlushOps || Pending.Bytes >= Options.FlushBytes)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<byte[]?> GetRawRowAsync(SourceTable table, string replicaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        if (Pending.Latest.TryGetValue((table.QualifiedName, replicaId), out var pending))
            return Task.FromResult(pending.Kind == RowChangeKind.Delete ? null : pending.Raw);
        return Task.FromResult(OnStoreThread(() => ReadRawRow(table.QualifiedName, SourceRowIdentity.Key(replicaId))));
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

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        if (!Pending.IsEmpty) OnStoreThread(() => Guarded(WriteBuffered));
        return Task.CompletedTask;
    }

    public Task DiscardUncommittedAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        OnStoreThread(() =>
        {
            RollBack();
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<Checkpoint?> CommitAsync(Lsn lsn, CancellationToken cancellationToken) => StartCommit(lsn).WaitAsync(cancellationToken);

    public Task<Checkpoint?> StartCommit(Lsn lsn) => StartCommit(lsn, null);

    public Task<Checkpoint?> StartCommit(Lsn lsn, ICommitObserver? observer)
    {
        EnsureUsable();
        return Write(lsn, snapshotDone: null, observer);
    }

    public Task<Checkpoint?> KeepaliveAsync(Lsn lsn, CancellationToken cancellationToken)
    {
        EnsureUsable();
        // Nothing new and nothing to advance: no transaction at all.
        if (_open is null && Pending.IsEmpty && _state.ResumeLsn is { } resume && lsn <= resume)
            return Task.FromResult(_state.Checkpoint);
        return Write(lsn, snapshotDone: null).WaitAsync(cancellationToken);
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

    /// <summary>Writes the buffered changes into the open transaction (no commit, so neither durable nor visible yet).</summary>
    private OpenTransaction WriteBuffered()
    {
        var open = Begin();
        try
        {
            if (!Pending.IsEmpty)
            {
                var batch = Diff.Compute(Pending.Changes, ReadMemberships);
                open.State = open.State with { LastOp = WriteBatch(batch, open.State.LastOp, open.Touched) };
            }
            Options.FaultInjection?.Invoke("flush:after-ops");
        }
        finally
        {
            Pending.Clear();
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
        catch
        {
            _failed = true;
            RollBack();
            throw;
        }
    }

    /// <summary>Drops everything since the last commit: the buffer and the open transaction.</summary>
    private void RollBack()
    {
        Pending.Clear();
        _open = null;
        RollBackTransaction();
    }

    /// <summary>Ends the storage transaction: buffered ops, rows, lookups, progress, and optionally the commit's checkpoint.</summary>
    /// <returns>A task that completes once the commit is durable and its checkpoint (if any) visible.</returns>
    private Task<Checkpoint?> Write(Lsn? commitLsn, Lsn? snapshotDone, ICommitObserver? observer = null)
    {
        var lastOp = _state.LastOp;
        var (open, state, activated, published) = OnStoreThread(() => Guarded(() =>
        {
            var open = WriteBuffered();
            var (state, published, activated) = open.State.AfterCommit(Version.Id, commitLsn, snapshotDone);
            if (activated) Activate();
            SaveState(state);
            Options.FaultInjection?.Invoke("commit:before");
            CommitTransaction();
            _open = null;
            _state = state;
            Options.FaultInjection?.Invoke("commit:after");
            return (open, state, activated, published);
        }));

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
            throw new PowerSyncException(StorageErrorCodes.WriterFailed,
                $"The storage writer of sync-rules version {Version.Id} failed earlier; nothing after its last commit was kept. " +
                "Dispose it and open a new writer, which resumes from the last committed LSN.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        // Commits already made become durable (and visible) before the writer goes.
        if (_durable is not null) await _durable.DisposeAsync().ConfigureAwait(false);
        // Whatever was flushed since the last commit belongs to an unfinished source transaction: roll it back.
        OnStoreThread(() =>
        {
            RollBack();
            return true;
        });
        DisposeStore();
    }
}
