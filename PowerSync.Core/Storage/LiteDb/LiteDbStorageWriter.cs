using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The single writer of one sync-rules version on the LiteDB store. Row changes are buffered; a flush
/// diffs them against the rows' stored memberships (<see cref="RowDiff"/>), assigns op ids and writes
/// the ops into the open LiteDB transaction; a commit stores the version's new state (checkpoint, resume
/// LSN) in that transaction and commits it, so everything between two commits is atomic. All of it runs on
/// the writer's own thread (<see cref="LiteDbWriterThread"/>), and one writer's transaction runs at a time
/// (<see cref="LiteDbBucketStorage.WriterGate"/>). After any failure the writer refuses further
/// use; reopening resumes from the last committed LSN, and replaying from there re-derives the same ops
/// with the same op ids.
/// </summary>
internal sealed class LiteDbStorageWriter : IBucketStorageWriter
{
    private readonly LiteDbBucketStorage _storage;
    private readonly LiteDatabase _db;
    private readonly LiteDbWriterThread _thread;
    private readonly PendingChanges _pending = new();
    private readonly RowDiff _diff = new();
    private readonly DurableCommits? _durable;
    private readonly ILiteCollection<BsonDocument> _ops, _rows, _parameters, _buckets, _meta, _rules, _progress, _relations;
    private VersionState _state; // as last committed
    private OpenTransaction? _open;
    private volatile bool _failed;
    private bool _disposed;

    /// <summary>The LiteDB transaction in progress: the version's state as it will be committed, and the buckets it changed.</summary>
    private sealed class OpenTransaction(VersionState state)
    {
        public VersionState State { get; set; } = state;
        public HashSet<string> Touched { get; } = new(StringComparer.Ordinal);
    }

    private LiteDbStorageWriter(LiteDbBucketStorage storage, SyncRulesVersion version, LiteDbWriterThread thread, VersionState state)
    {
        _storage = storage;
        _db = storage.Database;
        _thread = thread;
        Version = version;
        _state = state;
        _ops = _db.GetCollection(LiteDbKeys.Ops);
        _rows = _db.GetCollection(LiteDbKeys.Rows);
        _parameters = _db.GetCollection(LiteDbKeys.Parameters);
        _buckets = _db.GetCollection(LiteDbKeys.Buckets);
        _meta = _db.GetCollection(LiteDbKeys.Meta);
        _rules = _db.GetCollection(LiteDbKeys.Rules);
        _progress = _db.GetCollection(LiteDbKeys.Progress);
        _relations = _db.GetCollection(LiteDbKeys.Relations);
        if (storage.Options.FullSync)
            _durable = new DurableCommits(storage.LogPath, "log file", _ => _failed = true, storage.Options.FaultInjection);
    }

    public SyncRulesVersion Version { get; }

    private LiteDbBucketStorageOptions Options => _storage.Options;

    internal static LiteDbStorageWriter Open(LiteDbBucketStorage storage, SyncRulesVersion version)
    {
        var state = LiteDbSchema.LoadState(storage.Database, version.Id);
        state.EnsureWritable(version.Id, whileReplicating: false);
        return new LiteDbStorageWriter(storage, version, new LiteDbWriterThread($"PowerSync LiteDB writer {version.Id}"), state);
    }

    public Task<ReplicationState> GetStateAsync(CancellationToken ct)
    {
        EnsureUsable();
        // On the writer's thread, inside an open transaction this includes progress written since the last commit.
        return Task.FromResult(_thread.Invoke(() =>
        {
            var state = _open?.State ?? LiteDbSchema.LoadState(_db, Version.Id);
            var tables = new Dictionary<string, TableSnapshotProgress>(StringComparer.Ordinal);
            var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id));
            foreach (var doc in _progress.Find(Query.Between("_id", low, high)).ToList())
                tables[doc["t"].AsString] = new TableSnapshotProgress(doc["k"].IsNull ? null : doc["k"].AsString, doc["d"].AsBoolean);
            return new ReplicationState(state.ResumeLsn, state.SnapshotDone, state.NoCheckpointBefore, state.Checkpoint, tables);
        }));
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
        // Rows changed in this batch are in the buffer; write them first so one pass over the stored rows sees every row of the table.
        await FlushAsync(ct).ConfigureAwait(false);
        var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id, table.QualifiedName));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // Each chunk's deletions are flushed before the next read, so the range shrinks from its start.
            var chunk = _thread.Invoke(() => Guarded(() =>
            {
                Begin();
                return _rows.Find(Query.Between("_id", low, high), 0, 1000).ToList();
            }));
            if (chunk.Count == 0) break;
            foreach (var doc in chunk)
                _pending.Add(PendingChange.Deleted(table.QualifiedName, doc["k"].AsBinary, RowMembership.Decode(doc["m"].AsBinary)));
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        return Task.FromResult(_thread.Invoke(() => Guarded(() =>
        {
            Begin();
            var name = table.QualifiedName;
            var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id));
            var recorded = _relations.Find(Query.Between("_id", low, high)).ToList();
            var byId = recorded.FirstOrDefault(d => (uint)d["rel"].AsInt64 == relationId);
            var byName = recorded.FirstOrDefault(d => d["t"].AsString == name && (uint)d["rel"].AsInt64 != relationId);
            foreach (var doc in recorded.Where(d => (uint)d["rel"].AsInt64 == relationId || d["t"].AsString == name))
                _relations.Delete(doc["_id"]);
            _relations.Insert(new BsonDocument { ["_id"] = LiteDbKeys.Of(Version.Id, relationId), ["rel"] = (long)relationId, ["t"] = name });
            return new RelationHistory(byId?["t"].AsString, byName is null ? null : (uint)byName["rel"].AsInt64);
        })));
    }

    public Task<byte[]?> GetRawRowAsync(SourceTable table, string replicaId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        if (_pending.Latest.TryGetValue((table.QualifiedName, replicaId), out var pending))
            return Task.FromResult(pending.Kind == RowChangeKind.Delete ? null : pending.Raw);
        var key = LiteDbSchema.RowKey(Version.Id, table.QualifiedName, SourceRowIdentity.Key(replicaId));
        return Task.FromResult(_thread.Invoke(() => _rows.FindById(key) is { } doc && !doc["raw"].IsNull ? doc["raw"].AsBinary : null));
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
        if (!_pending.IsEmpty) _thread.Invoke(() => Guarded(WriteBuffered));
        return Task.CompletedTask;
    }

    public Task DiscardUncommittedAsync(CancellationToken ct)
    {
        EnsureUsable();
        _thread.Invoke(RollBack);
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

    /// <summary>Begins the LiteDB transaction (on the writer's thread) unless one is open, checking the version is still writable.</summary>
    private OpenTransaction Begin()
    {
        if (_open is not null) return _open;
        if (!_storage.WriterGate.Wait(LiteDbBucketStorage.WriterGateTimeout))
        {
            throw new TimeoutException(
                $"The writer of sync-rules version {Version.Id} waited {LiteDbBucketStorage.WriterGateTimeout} for another version's writer to commit; " +
                "only one writer transaction runs at a time on this store.");
        }
        try
        {
            if (!_db.BeginTrans())
                throw new InvalidOperationException($"The writer thread of sync-rules version {Version.Id} already has a LiteDB transaction.");
            try
            {
                var state = LiteDbSchema.LoadState(_db, Version.Id);
                state.EnsureWritable(Version.Id, whileReplicating: true);
                return _open = new OpenTransaction(state);
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
        catch
        {
            _storage.WriterGate.Release();
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

    /// <summary>Drops everything since the last commit: the buffer and the open transaction.</summary>
    private void RollBack()
    {
        _pending.Clear();
        if (_open is null) return;
        _open = null;
        try
        {
            _db.Rollback();
        }
        finally
        {
            _storage.WriterGate.Release();
        }
    }

    /// <summary>Ends the storage transaction: buffered ops, rows, lookups, progress, and optionally the commit's checkpoint.</summary>
    /// <returns>A task that completes once the commit is durable and its checkpoint (if any) visible.</returns>
    private Task<Checkpoint?> Write(Lsn? commitLsn, Lsn? snapshotDone)
    {
        var (open, state, activated, published) = _thread.Invoke(() => Guarded(() =>
        {
            var open = WriteBuffered();
            var (state, published, activated) = open.State.AfterCommit(Version.Id, commitLsn, snapshotDone);
            if (activated) Activate();
            var doc = _rules.FindById(Version.Id);
            LiteDbSchema.SaveState(doc, state);
            _rules.Update(doc);
            Options.FaultInjection?.Invoke("commit:before");
            if (!_db.Commit()) throw new InvalidOperationException($"The LiteDB transaction of sync-rules version {Version.Id} was not open at its commit.");
            _open = null;
            _storage.WriterGate.Release();
            _state = state;
            Options.FaultInjection?.Invoke("commit:after");
            return (open, state, activated, published);
        }));

        // Cached checksums of changed buckets go before anyone can see the new checkpoint.
        if (open.Touched.Count > 0) _storage.Checksums.BucketsChanged(Version.Id, open.Touched, state.LastOp);
        void Publish()
        {
            // Sessions move to the new version's checkpoint before the replaced version's data goes.
            if (published is { } cp && state.State == SyncRulesState.Active) _storage.PublishCheckpoint(cp);
            if (activated) _storage.OnVersionActivated();
        }
        if (_durable is null)
        {
            Publish();
            return Task.FromResult(state.Checkpoint);
        }
        return _durable.Enqueue(state.Checkpoint, Publish);
    }

    /// <summary>Stops the active version (if another) and makes this one active, in the open transaction.</summary>
    private void Activate()
    {
        foreach (var doc in _rules.Find(Query.EQ("state", (int)SyncRulesState.Active)).ToList())
        {
            if (doc["_id"].AsInt64 == Version.Id) continue;
            doc["state"] = (int)SyncRulesState.Stopped;
            _rules.Update(doc);
        }
    }

    /// <summary>Derives ops from the buffered changes, assigns op ids and writes everything; returns the version's last op id.</summary>
    private long WritePending(long lastOp, HashSet<string> touched)
    {
        if (_pending.IsEmpty) return lastOp;
        var batch = _diff.Compute(_pending.Changes, ReadMemberships);
        var next = _meta.FindById("next_op_id");
        var nextOpId = next["v"].AsInt64;
        var totals = new Dictionary<string, (uint Checksum, long Count, long LastOp)>(StringComparer.Ordinal);
        var docs = new List<BsonDocument>(batch.Ops.Count);
        foreach (var op in batch.Ops)
        {
            var opId = nextOpId++;
            touched.Add(op.Bucket);
            var doc = new BsonDocument
            {
                ["_id"] = LiteDbSchema.OpKey(Version.Id, op.Bucket, opId),
                ["o"] = (int)op.Op,
                ["ot"] = op.ObjectType,
                ["oi"] = op.ObjectId,
                ["sk"] = op.Subkey,
                ["cs"] = (long)op.Checksum,
            };
            if (op.Data is not null) doc["d"] = op.Data;
            docs.Add(doc);
            totals[op.Bucket] = totals.TryGetValue(op.Bucket, out var t)
                ? (OpChecksum.Add(t.Checksum, op.Checksum), t.Count + 1, opId)
                : (op.Checksum, 1, opId);
        }
        _ops.InsertBulk(docs);
        foreach (var p in batch.Parameters)
        {
            var opId = nextOpId++;
            _parameters.Insert(new BsonDocument
            {
                ["_id"] = LiteDbKeys.Of(Version.Id, p.Lookup, p.Table, p.Key, opId),
                ["p"] = p.Parameters is null ? BsonValue.Null : p.Parameters,
            });
        }
        foreach (var row in batch.Rows)
        {
            var key = LiteDbSchema.RowKey(Version.Id, row.Table, row.Key);
            if (row.Deleted) _rows.Delete(key);
            else
            {
                _rows.Upsert(new BsonDocument
                {
                    ["_id"] = key,
                    ["k"] = row.Key,
                    ["m"] = row.Membership.Encode(),
                    ["raw"] = row.Raw is null ? BsonValue.Null : row.Raw,
                });
            }
        }
        foreach (var (bucket, t) in totals) AddBucketTotals(bucket, t.Checksum, t.Count, t.LastOp);
        foreach (var (table, progress) in _pending.Progress)
        {
            _progress.Upsert(new BsonDocument
            {
                ["_id"] = LiteDbKeys.Of(Version.Id, table),
                ["t"] = table,
                ["k"] = progress.LastKey is null ? BsonValue.Null : progress.LastKey,
                ["d"] = progress.Done,
            });
        }
        next["v"] = nextOpId;
        _meta.Update(next);
        return Math.Max(lastOp, nextOpId - 1);
    }

    /// <summary>Adds a flush's ops to a bucket's totals (its op-0 document), creating the bucket when new.</summary>
    private void AddBucketTotals(string bucket, uint checksum, long count, long lastOp)
    {
        var key = LiteDbSchema.OpKey(Version.Id, bucket, 0L);
        var doc = _ops.FindById(key);
        if (doc is null)
        {
            _buckets.Insert(new BsonDocument { ["_id"] = LiteDbKeys.Of(Version.Id, bucket), ["n"] = bucket });
            _ops.Insert(new BsonDocument { ["_id"] = key, ["cs"] = (long)checksum, ["n"] = count, ["last"] = lastOp });
            return;
        }
        doc["cs"] = (long)OpChecksum.Add((uint)doc["cs"].AsInt64, checksum);
        doc["n"] = doc["n"].AsInt64 + count;
        doc["last"] = Math.Max(doc["last"].AsInt64, lastOp);
        _ops.Update(doc);
    }

    /// <summary>Loads the stored memberships of <paramref name="keys"/> (rows not stored are left out).</summary>
    private void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into)
    {
        foreach (var (replicaId, key) in keys)
        {
            if (_rows.FindById(LiteDbSchema.RowKey(Version.Id, table, key)) is { } doc)
                into[replicaId] = RowMembership.Decode(doc["m"].AsBinary);
        }
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
        _thread.Invoke(RollBack);
        _thread.Dispose();
        _storage.OnWriterClosed(Version.Id);
    }
}
