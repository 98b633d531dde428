using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The single writer of one sync-rules version on the LiteDB store (the write path is
/// <see cref="BucketStorageWriter"/>'s). Everything between two commits is one LiteDB transaction, run
/// on the writer's own thread (<see cref="LiteDbWriterThread"/>: LiteDB ties a transaction to its thread),
/// and one writer's transaction runs at a time (<see cref="LiteDbBucketStorage.WriterGate"/>).
/// <para>
/// LiteDB pays per document and per index seek, so a flush writes a bucket's ops as chunks
/// (<see cref="LiteDbOpChunks"/>), reads the rows it changes and the buckets' totals a query per group
/// of keys, and looks up only rows its key filter says may be stored (<see cref="LiteDbRowKeyFilter"/>):
/// a new row is inserted without a lookup. A row the filter wrongly called missing would fail its
/// insert as a duplicate key (and with it the writer), never be written over silently.
/// </para>
/// </summary>
internal sealed class LiteDbStorageWriter : BucketStorageWriter
{
    private readonly LiteDbBucketStorage _storage;
    private readonly LiteDatabase _db;
    private readonly LiteDbWriterThread _thread;
    private readonly ILiteCollection<BsonDocument> _ops, _rows, _parameters, _buckets, _meta, _rules, _progress, _relations;
    private bool _inTransaction;

    // Which rows may be stored, so that a flush looks up only those; filled by a scan of the stored keys on a thread of its own.
    private readonly LiteDbRowKeyFilter _rowKeys = new();
    private readonly Thread _rowKeyScan;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _rowKeysScanned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Reused by each flush: the batch's ops by bucket (indexes into the batch), and the chunk being packed.
    private readonly Dictionary<string, List<int>> _opsByBucket = new(StringComparer.Ordinal);
    private readonly LiteDbOpChunks.Builder _chunk = new();

    // Whether each row key looked up for the flush in progress was stored (ReadMemberships, then WriteRows).
    private readonly Dictionary<byte[], bool> _storedRows = new(LiteDbKeys.Comparer);

    private LiteDbStorageWriter(LiteDbBucketStorage storage, SyncRulesVersion version, VersionState state)
        : base(version, storage.Options, state, storage.Checksums, storage.LogPath, "log file")
    {
        _storage = storage;
        _db = storage.Database;
        _thread = new LiteDbWriterThread($"PowerSync LiteDB writer {version.Id}");
        _rowKeyScan = new Thread(ScanRowKeys) { IsBackground = true, Name = $"PowerSync LiteDB row keys {version.Id}" };
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
        var writer = new LiteDbStorageWriter(storage, version, state);
        writer._rowKeyScan.Start();
        return writer;
    }

    /// <summary>Completes when the scan of the stored row keys has ended (then <see cref="LiteDbRowKeyFilter.IsComplete"/> unless it failed or was cancelled).</summary>
    internal Task RowKeysScanned => _rowKeysScanned.Task;

    internal LiteDbRowKeyFilter RowKeys => _rowKeys;

    /// <summary>Adds the keys of the version's stored rows to the filter: read from the index alone, committed ones as of the read's start.</summary>
    private void ScanRowKeys()
    {
        try
        {
            _rowKeys.Scan(() =>
            {
                var (low, high) = LiteDbKeys.Range(LiteDbKeys.Of(Version.Id));
                return _rows.Query().Where(Query.Between("_id", low, high)).Select("_id").ToDocuments().Select(d => d["_id"].AsBinary);
            }, _closing.Token);
        }
        finally
        {
            _rowKeysScanned.TrySetResult();
        }
    }

    protected override T OnStoreThread<T>(Func<T> step) => _thread.Invoke(step);

    protected override Task<ReplicationState> ReadStateAsync(CancellationToken cancellationToken)
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

    protected override async Task TruncateTableAsync(SourceTable table, CancellationToken cancellationToken)
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

    protected override Task<RelationHistory> StoreRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken)
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
        _storedRows.Clear();
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
    protected override long WriteBatch(RowDiff.Batch batch, IReadOnlyDictionary<string, TableSnapshotProgress> progress, long lastOp, HashSet<string> touched)
    {
        var next = _meta.FindById("next_op_id");
        var nextOpId = next["v"].AsInt64;
        var firstOpId = nextOpId;
        nextOpId += batch.Ops.Count;
        WriteOps(batch.Ops, firstOpId, touched);
        foreach (var p in batch.Parameters)
        {
            _parameters.Insert(new BsonDocument
            {
                ["_id"] = LiteDbKeys.Of(Version.Id, p.Lookup, p.Table, p.Key, nextOpId++),
                ["p"] = p.Parameters is null ? BsonValue.Null : p.Parameters,
            });
        }
        WriteRows(batch.Rows);
        foreach (var (table, tableProgress) in progress)
        {
            _progress.Upsert(new BsonDocument
            {
                ["_id"] = LiteDbKeys.Of(Version.Id, table),
                ["t"] = table,
                ["k"] = tableProgress.LastKey is null ? BsonValue.Null : tableProgress.LastKey,
                ["d"] = tableProgress.Done,
            });
        }
        next["v"] = nextOpId;
        _meta.Update(next);
        return Math.Max(lastOp, nextOpId - 1);
    }

    /// <summary>
    /// Writes the ops (ids from <paramref name="firstOpId"/> on, in order) as chunks, a bucket's ops of this
    /// flush in as few as fit, and adds them to their buckets' totals.
    /// </summary>
    private void WriteOps(List<PendingOp> ops, long firstOpId, HashSet<string> touched)
    {
        if (ops.Count == 0) return;
        if (_opsByBucket.Count > 1024) _opsByBucket.Clear();
        foreach (var indexes in _opsByBucket.Values) indexes.Clear();
        for (var i = 0; i < ops.Count; i++)
        {
            if (!_opsByBucket.TryGetValue(ops[i].Bucket, out var indexes)) _opsByBucket[ops[i].Bucket] = indexes = [];
            indexes.Add(i);
        }
        var chunks = new List<BsonDocument>(_opsByBucket.Count);
        var totals = new List<(string Bucket, uint Checksum, long Count, long LastOp)>(_opsByBucket.Count);
        foreach (var (bucket, indexes) in _opsByBucket)
        {
            if (indexes.Count == 0) continue;
            touched.Add(bucket);
            uint checksum = 0;
            foreach (var i in indexes)
            {
                var op = ops[i];
                _chunk.Add(firstOpId + i, op);
                checksum = OpChecksum.Add(checksum, op.Checksum);
                if (_chunk.IsFull) chunks.Add(LiteDbOpChunks.Document(LiteDbSchema.OpKey(Version.Id, bucket, _chunk.LastOpId), _chunk.Take()));
            }
            if (_chunk.Count > 0) chunks.Add(LiteDbOpChunks.Document(LiteDbSchema.OpKey(Version.Id, bucket, _chunk.LastOpId), _chunk.Take()));
            totals.Add((bucket, checksum, indexes.Count, firstOpId + indexes[^1]));
        }
        _ops.InsertBulk(chunks);
        AddBucketTotals(totals);
    }

    /// <summary>Adds a flush's ops to their buckets' totals (each bucket's op-0 document), creating buckets that are new.</summary>
    private void AddBucketTotals(List<(string Bucket, uint Checksum, long Count, long LastOp)> totals)
    {
        var keys = totals.ConvertAll(t => LiteDbSchema.OpKey(Version.Id, t.Bucket, 0L));
        var stored = new Dictionary<byte[], BsonDocument>(LiteDbKeys.Comparer);
        foreach (var doc in FindByIds(_ops, keys)) stored[doc["_id"].AsBinary] = doc;
        var updated = new List<BsonDocument>(stored.Count);
        for (var i = 0; i < totals.Count; i++)
        {
            var (bucket, checksum, count, lastOp) = totals[i];
            if (stored.TryGetValue(keys[i].AsBinary, out var doc))
            {
                doc["cs"] = (long)OpChecksum.Add((uint)doc["cs"].AsInt64, checksum);
                doc["n"] = doc["n"].AsInt64 + count;
                doc["last"] = Math.Max(doc["last"].AsInt64, lastOp);
                updated.Add(doc);
            }
            else
            {
                _buckets.Insert(new BsonDocument { ["_id"] = LiteDbKeys.Of(Version.Id, bucket), ["n"] = bucket });
                _ops.Insert(new BsonDocument { ["_id"] = keys[i], ["cs"] = (long)checksum, ["n"] = count, ["last"] = lastOp });
            }
        }
        _ops.Update(updated);
    }

    /// <summary>
    /// Writes the rows' new state. A row looked up for this flush is inserted or updated as it was found
    /// missing or stored (LiteDB's upsert would look it up again); any other (a truncated table's) is upserted.
    /// </summary>
    private void WriteRows(List<PendingRow> rows)
    {
        List<BsonDocument>? inserts = null, updates = null, upserts = null;
        foreach (var row in rows)
        {
            var key = LiteDbSchema.RowKey(Version.Id, row.Table, row.Key);
            bool? stored = _storedRows.TryGetValue(key.AsBinary, out var found) ? found : null;
            if (row.Deleted)
            {
                if (stored != false) _rows.Delete(key);
                continue;
            }
            if (stored != true) _rowKeys.Add(key.AsBinary);
            var doc = new BsonDocument { ["_id"] = key, ["k"] = row.Key, ["m"] = row.Membership.Encode() };
            if (row.Raw is not null) doc["raw"] = row.Raw;
            var into = stored switch
            {
                true => updates ??= [],
                false => inserts ??= [],
                null => upserts ??= [],
            };
            into.Add(doc);
        }
        _storedRows.Clear();
        if (inserts is not null) _rows.InsertBulk(inserts);
        if (updates is not null) _rows.Update(updates);
        if (upserts is not null) _rows.Upsert(upserts);
    }

    /// <summary>
    /// The documents whose <c>_id</c> is one of <paramref name="keys"/>: a query per group of keys, an index seek per key.
    /// Groups stay small because LiteDB writes each query's plan as text, its keys included: a long one
    /// would go to the large object heap, and each of those brings a full garbage collection closer.
    /// </summary>
    private static IEnumerable<BsonDocument> FindByIds(ILiteCollection<BsonDocument> collection, List<BsonValue> keys)
    {
        for (var start = 0; start < keys.Count; start += KeysPerQuery)
        {
            var group = new BsonArray(keys.GetRange(start, Math.Min(KeysPerQuery, keys.Count - start)));
            foreach (var doc in collection.Find(BsonExpression.Create("_id IN @0", group))) yield return doc;
        }
    }

    private const int KeysPerQuery = 200;

    protected override void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into)
    {
        var ids = new List<BsonValue>(keys.Count);
        var replicaIds = new Dictionary<byte[], string>(keys.Count, LiteDbKeys.Comparer);
        foreach (var (replicaId, key) in keys)
        {
            var id = LiteDbSchema.RowKey(Version.Id, table, key);
            _storedRows[id.AsBinary] = false;
            if (!_rowKeys.MayContain(id.AsBinary)) continue;
            ids.Add(id);
            replicaIds[id.AsBinary] = replicaId;
        }
        foreach (var doc in FindByIds(_rows, ids))
        {
            var id = doc["_id"].AsBinary;
            into[replicaIds[id]] = RowMembership.Decode(doc["m"].AsBinary);
            _storedRows[id] = true;
        }
    }

    protected override ValueTask DisposeStoreAsync()
    {
        _closing.Cancel();
        _rowKeyScan.Join();
        _closing.Dispose();
        _thread.Dispose();
        _storage.OnWriterClosed(Version.Id);
        return ValueTask.CompletedTask;
    }
}
