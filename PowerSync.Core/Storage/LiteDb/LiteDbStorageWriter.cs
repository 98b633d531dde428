using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The single writer of one sync-rules version on the LiteDB store (the write path is
/// <see cref="BucketStorageWriter"/>'s). Everything between two commits is one LiteDB transaction, run
/// on the writer's own thread (<see cref="LiteDbWriterThread"/>: LiteDB ties a transaction to its thread),
/// and one writer's transaction runs at a time (<see cref="LiteDbBucketStorage.WriterGate"/>).
/// </summary>
internal sealed class LiteDbStorageWriter : BucketStorageWriter
{
    private readonly LiteDbBucketStorage _storage;
    private readonly LiteDatabase _db;
    private readonly LiteDbWriterThread _thread;
    private readonly ILiteCollection<BsonDocument> _ops, _rows, _parameters, _buckets, _meta, _rules, _progress, _relations;
    private bool _inTransaction;

    private LiteDbStorageWriter(LiteDbBucketStorage storage, SyncRulesVersion version, VersionState state)
        : base(version, storage.Options, state, storage.Checksums, storage.LogPath, "log file")
    {
        _storage = storage;
        _db = storage.Database;
        _thread = new LiteDbWriterThread($"PowerSync LiteDB writer {version.Id}");
        _ops = _db.GetCollection(LiteDbKeys.Ops);
        _rows = _db.GetCollection(LiteDbKeys.Rows);
        _parameters = _db.GetCollection(LiteDbKeys.Parameters);
        _buckets = _db.GetCollection(LiteDbKeys.Buckets);
        _meta = _db.GetCollection(LiteDbKeys.Meta);
        _rules = _db.GetCollection(LiteDbKeys.Rules);
        _progress = _db.GetCollection(LiteDbKeys.Progress);
        _relations = _db.GetCollection(LiteDbKeys.Relations);
    }

    internal static LiteDbStorageWriter Open(LiteDbBucketStorage storage, SyncRulesVersion version)
    {
        var state = LiteDbSchema.LoadState(storage.Database, version.Id);
        state.EnsureWritable(version.Id, whileReplicating: false);
        return new LiteDbStorageWriter(storage, version, state);
    }

    protected override T OnStoreThread<T>(Func<T> step) => _thread.Invoke(step);

    public override Task<ReplicationState> GetStateAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        // On the writer's thread, inside an open transaction this includes progress written since the last commit.
        return Task.FromResult(_thread.Invoke(() =>
        {
            var state = OpenState ?? LiteDbSchema.LoadState(_db, Version.Id);
            var tables = new Dictionary<string, TableSnapshotProgress>(StringComparer.Ordinal);
            var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id));
            foreach (var doc in _progress.Find(Query.Between("_id", low, high)).ToList())
                tables[doc["t"].AsString] = new TableSnapshotProgress(doc["k"].IsNull ? null : doc["k"].AsString, doc["d"].AsBoolean);
            return new ReplicationState(state.ResumeLsn, state.SnapshotDone, state.NoCheckpointBefore, state.Checkpoint, tables);
        }));
    }

    public override async Task TruncateAsync(SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        // Rows changed in this batch are in the buffer; write them first so one pass over the stored rows sees every row of the table.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id, table.QualifiedName));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each chunk's deletions are flushed before the next read, so the range shrinks from its start.
            var chunk = _thread.Invoke(() => Guarded(() =>
            {
                Begin();
                return _rows.Find(Query.Between("_id", low, high), 0, 1000).ToList();
            }));
            if (chunk.Count == 0) break;
            foreach (var doc in chunk)
                Pending.Add(PendingChange.Deleted(table.QualifiedName, doc["k"].AsBinary, RowMembership.Decode(doc["m"].AsBinary)));
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken)
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

    protected override byte[]? ReadRawRow(string table, byte[] key) =>
        _rows.FindById(LiteDbSchema.RowKey(Version.Id, table, key)) is { } doc && !doc["raw"].IsNull ? doc["raw"].AsBinary : null;

    protected override VersionState BeginTransaction()
    {
        if (!_storage.WriterGate.Wait(LiteDbBucketStorage.WriterGateTimeout))
        {
            throw new TimeoutException(
                $"The writer of sync-rules version {Version.Id} waited {LiteDbBucketStorage.WriterGateTimeout} for another version's writer to commit; " +
                "only one writer transaction runs at a time on this store.");
        }
        if (!_db.BeginTrans())
        {
            _storage.WriterGate.Release();
            throw new InvalidOperationException($"The writer thread of sync-rules version {Version.Id} already has a LiteDB transaction.");
        }
        _inTransaction = true;
        return LiteDbSchema.LoadState(_db, Version.Id);
    }

    protected override void CommitTransaction()
    {
        if (!_db.Commit()) throw new InvalidOperationException($"The LiteDB transaction of sync-rules version {Version.Id} was not open at its commit.");
        _inTransaction = false;
        _storage.WriterGate.Release();
    }

    protected override void RollBackTransaction()
    {
        if (!_inTransaction) return;
        _inTransaction = false;
        try
        {
            _db.Rollback();
        }
        finally
        {
            _storage.WriterGate.Release();
        }
    }

    protected override void SaveState(VersionState state)
    {
        var doc = _rules.FindById(Version.Id);
        LiteDbSchema.SaveState(doc, state);
        _rules.Update(doc);
    }

    protected override void Activate()
    {
        foreach (var doc in _rules.Find(Query.EQ("state", (int)SyncRulesState.Active)).ToList())
        {
            if (doc["_id"].AsInt64 == Version.Id) continue;
            doc["state"] = (int)SyncRulesState.Stopped;
            _rules.Update(doc);
        }
    }

    protected override void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => _storage.PublishCheckpoint(checkpoint, trace);

    protected override void VersionActivated() => _storage.OnVersionActivated();

    /// <summary>Assigns op ids and writes the batch; returns the version's last op id.</summary>
    protected override long WriteBatch(RowDiff.Batch batch, long lastOp, HashSet<string> touched)
    {
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
            _parameters.Insert(new BsonDocument
            {
                ["_id"] = LiteDbKeys.Of(Version.Id, p.Lookup, p.Table, p.Key, nextOpId++),
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
        foreach (var (table, progress) in Pending.Progress)
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

    protected override void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into)
    {
        foreach (var (replicaId, key) in keys)
        {
            if (_rows.FindById(LiteDbSchema.RowKey(Version.Id, table, key)) is { } doc)
                into[replicaId] = RowMembership.Decode(doc["m"].AsBinary);
        }
    }

    protected override void DisposeStore()
    {
        _thread.Dispose();
        _storage.OnWriterClosed(Version.Id);
    }
}
