using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// The single writer of one sync-rules version. Row changes are buffered; a flush diffs them against
/// the rows' stored memberships, assigns op ids and writes the ops into the open SQLite transaction; a
/// commit adds the checkpoint row and commits that transaction, so everything between two commits is
/// atomic. After any failure the writer refuses further use; reopening resumes from the last committed
/// LSN, and replaying from there re-derives the same ops with the same op ids.
/// </summary>
internal sealed class SqliteStorageWriter : IBucketStorageWriter
{
    private readonly SqliteBucketStorage _storage;
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteStatements _sql;
    private readonly PendingChanges _pending = new();
    private readonly Dictionary<string, long> _bucketIds = new(StringComparer.Ordinal);
    private readonly RowDiff _diff = new();
    private readonly Dictionary<long, (uint Checksum, long Count, long LastOp)> _totals = [];
    private (long BucketId, long OpId, PendingOp Op)[] _ops = [];
    private readonly DurableCommits? _durable;
    private VersionState _state; // as last committed
    private volatile bool _failed;
    private bool _disposed;

    private SqliteStorageWriter(SqliteBucketStorage storage, SyncRulesVersion version, SqliteConnection connection, VersionState state)
    {
        _storage = storage;
        Version = version;
        _connection = connection;
        _sql = new SqliteWriteStatements(connection, version.Id);
        _state = state;
        // With full sync, commits are flushed to disk by a second thread while this one goes on.
        if (storage.Options.FullSync) _durable = new DurableCommits(storage.Options.Path + "-wal", "WAL", _ => _failed = true, storage.Options.FaultInjection);
    }

    public SyncRulesVersion Version { get; }

    private SqliteBucketStorageOptions Options => _storage.Options;

    internal static SqliteStorageWriter Open(SqliteBucketStorage storage, SyncRulesVersion version)
    {
        var connection = SqliteSchema.OpenWriter(storage.Options.Path);
        try
        {
            var state = SqliteVersionState.Load(connection, version.Id);
            state.EnsureWritable(version.Id, whileReplicating: false);
            return new SqliteStorageWriter(storage, version, connection, state);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task<ReplicationState> GetStateAsync(CancellationToken ct)
    {
        EnsureUsable();
        // Inside an open transaction this includes progress written since the last commit.
        return Task.FromResult(SqliteVersionState.LoadReplicationState(_connection, Version.Id, _open?.Transaction));
    }

    public async ValueTask SaveAsync(SourceRowChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        EnsureUsable();
        _pending.Add(PendingChange.From(change));
        if (_pending.Changes.Count >= Options.FlushOps || _pending.Bytes >= Options.FlushBytes)
            await FlushAsync(ct).ConfigureAwait(false);
    }

    public async Task TruncateAsync(SourceTable table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        // Rows changed in this batch are in the overlay; write them first so one pass over
        // current_data sees every row of the table.
        await FlushAsync(ct).ConfigureAwait(false);
        byte[]? after = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = _sql.ReadTableKeys(table.QualifiedName, after, 1000);
            if (chunk.Count == 0) break;
            foreach (var (key, membership) in chunk)
            {
                _pending.Add(PendingChange.Deleted(table.QualifiedName, key, RowMembership.Decode(membership)));
            }
            after = chunk[^1].Key;
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        return Task.FromResult(Guarded(() =>
        {
            Begin();
            return _sql.RecordRelation(relationId, table.QualifiedName);
        }));
    }

    public Task<byte[]?> GetRawRowAsync(SourceTable table, string replicaId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        if (_pending.Latest.TryGetValue((table.QualifiedName, replicaId), out var pending))
            return Task.FromResult(pending.Kind == RowChangeKind.Delete ? null : pending.Raw);
        return Task.FromResult(_sql.ReadCurrent(table.QualifiedName, SourceRowIdentity.Key(replicaId))?.Raw);
    }

    public ValueTask SaveSnapshotProgressAsync(SourceTable table, TableSnapshotProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        _pending.Progress[table.QualifiedName] = progress;
        return ValueTask.CompletedTask;
    }

    public Task MarkSnapshotDoneAsync(Lsn noCheckpointBefore, CancellationToken ct)
    {
        EnsureUsable();
        return Write(commitLsn: null, snapshotDone: noCheckpointBefore).WaitAsync(ct);
    }

    public Task FlushAsync(CancellationToken ct)
    {
        EnsureUsable();
        if (!_pending.IsEmpty) Guarded(() => WriteBuffered());
        return Task.CompletedTask;
    }

    public Task DiscardUncommittedAsync(CancellationToken ct)
    {
        EnsureUsable();
        RollBack();
        return Task.CompletedTask;
    }

    public Task<Checkpoint?> CommitAsync(Lsn lsn, CancellationToken ct) => StartCommit(lsn).WaitAsync(ct);

    public Task<Checkpoint?> StartCommit(Lsn lsn)
    {
        EnsureUsable();
        return Write(lsn, snapshotDone: null);
    }

    public Task<Checkpoint?> KeepaliveAsync(Lsn lsn, CancellationToken ct)
    {
        EnsureUsable();
        // Nothing new and nothing to advance: no transaction at all.
        if (_open is null && _pending.IsEmpty && _state.ResumeLsn is { } resume && lsn <= resume)
            return Task.FromResult(_state.Checkpoint);
        return Write(lsn, snapshotDone: null).WaitAsync(ct);
    }

    /// <summary>
    /// The storage transaction in progress. Flushes write into it and commits end it, so everything
    /// between two commits is one SQLite transaction: a flush costs no fsync, and an interruption rolls
    /// back every op of a partly written source transaction (a replay then re-derives the same op ids).
    /// SQLite spills its page cache into the WAL as the transaction grows, so memory stays bounded.
    /// </summary>
    private sealed class OpenTransaction(SqliteTransaction transaction, VersionState state)
    {
        public SqliteTransaction Transaction { get; } = transaction;
        public VersionState State { get; set; } = state;
        public HashSet<string> Touched { get; } = new(StringComparer.Ordinal);
    }

    private OpenTransaction? _open;

    private OpenTransaction Begin()
    {
        if (_open is not null) return _open;
        var tx = _connection.BeginTransaction(deferred: false);
        try
        {
            _sql.Begin(tx);
            var state = SqliteVersionState.Load(_connection, Version.Id, tx);
            state.EnsureWritable(Version.Id, whileReplicating: true);
            return _open = new OpenTransaction(tx, state);
        }
        catch
        {
            tx.Dispose();
            throw;
        }
    }

    /// <summary>Writes the buffered changes into the open transaction (no commit, so neither durable nor visible yet).</summary>
    private OpenTransaction WriteBuffered()
    {
        var open = Begin();
        try
        {
            open.State = open.State with { LastOp = WritePending(open.State.LastOp, open.Touched) };
            Options.FaultInjection?.Invoke("flush:after-ops");
        }
        finally
        {
            _pending.Clear();
        }
        return open;
    }

    /// <summary>Runs a step of the write path; any failure rolls the open transaction back and retires the writer.</summary>
    private T Guarded<T>(Func<T> step)
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

    /// <summary>Drops everything since the last commit: the buffer, the open transaction, and bucket ids created in it.</summary>
    private void RollBack()
    {
        _pending.Clear();
        _bucketIds.Clear();
        var open = _open;
        _open = null;
        open?.Transaction.Dispose();
        _sql.Begin(null);
    }

    /// <summary>Ends the storage transaction: buffered ops, rows, lookups, progress, and optionally the commit's checkpoint.</summary>
    /// <returns>A task that completes once the commit is durable and its checkpoint (if any) visible.</returns>
    private Task<Checkpoint?> Write(Lsn? commitLsn, Lsn? snapshotDone)
    {
        var (open, state, activated, published) = Guarded(() =>
        {
            var open = WriteBuffered();
            var (state, published, activated) = open.State.AfterCommit(Version.Id, commitLsn, snapshotDone);
            if (activated) _sql.Activate();
            _sql.SaveVersionState(state);
            Options.FaultInjection?.Invoke("commit:before");
            open.Transaction.Commit();
            open.Transaction.Dispose();
            _open = null;
            _sql.Begin(null);
            _state = state;
            Options.FaultInjection?.Invoke("commit:after");
            return (open, state, activated, published);
        });

        // Cached checksums of changed buckets go before anyone can see the new checkpoint; sessions only
        // read up to a visible checkpoint, so ops committed past it never show.
        if (open.Touched.Count > 0) _storage.Checksums.BucketsChanged(Version.Id, open.Touched, state.LastOp);
        void Publish()
        {
            // Sessions move to the new version's checkpoint before the replaced version's data goes.
            if (published is { } cp && state.State == SyncRulesState.Active) _storage.PublishCheckpoint(cp);
            if (activated) _storage.OnVersionActivated(Version.Id);
        }
        if (_durable is null)
        {
            Publish();
            return Task.FromResult(state.Checkpoint);
        }
        return _durable.Enqueue(state.Checkpoint, Publish);
    }

    /// <summary>Derives ops from the buffered changes, assigns op ids and writes everything; returns the version's last op id.</summary>
    private long WritePending(long lastOp, HashSet<string> touched)
    {
        if (_pending.IsEmpty) return lastOp;
        var batch = _diff.Compute(_pending.Changes, _sql.ReadMemberships);
        var nextOpId = _sql.ReadNextOpId();
        var totals = _totals;
        totals.Clear();
        // Reused from flush to flush: at thousands of ops it would be a large-object allocation each time.
        if (_ops.Length < batch.Ops.Count) _ops = new (long, long, PendingOp)[Math.Max(batch.Ops.Count, _ops.Length * 2)];
        var ops = _ops.AsSpan(0, batch.Ops.Count);
        for (var i = 0; i < ops.Length; i++)
        {
            var op = batch.Ops[i];
            var opId = nextOpId++;
            var bucketId = BucketId(op.Bucket);
            touched.Add(op.Bucket);
            ops[i] = (bucketId, opId, op);
            totals[bucketId] = totals.TryGetValue(bucketId, out var t)
                ? (OpChecksum.Add(t.Checksum, op.Checksum), t.Count + 1, opId)
                : (op.Checksum, 1, opId);
        }
        _sql.InsertOps(ops);
        ops.Clear(); // drop references to this batch's strings
        foreach (var p in batch.Parameters)
            _sql.InsertParameter(p, nextOpId++);
        _sql.WriteCurrent(batch.Rows);
        foreach (var (bucketId, t) in totals)
            _sql.AddBucketTotals(bucketId, t.Checksum, t.Count, t.LastOp);
        foreach (var (table, progress) in _pending.Progress)
            _sql.SaveProgress(table, progress);
        _sql.WriteNextOpId(nextOpId);
        return Math.Max(lastOp, nextOpId - 1);
    }

    private long BucketId(string bucket)
    {
        if (_bucketIds.TryGetValue(bucket, out var id)) return id;
        if (_bucketIds.Count >= 100_000) _bucketIds.Clear();
        id = _sql.GetOrCreateBucket(bucket);
        _bucketIds[bucket] = id;
        return id;
    }

    private void EnsureUsable()
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
        RollBack();
        _sql.Dispose();
        _connection.Dispose();
        _storage.OnWriterClosed(Version.Id);
    }
}

