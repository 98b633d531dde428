using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// The single writer of one sync-rules version on the SQLite store (the write path is
/// <see cref="BucketStorageWriter"/>'s). Everything between two commits is one SQLite transaction
/// (<c>BEGIN IMMEDIATE</c>): a flush costs no fsync, and an interruption rolls back every op of a partly
/// written source transaction (a replay then re-derives the same op ids). SQLite spills its page cache
/// into the WAL as the transaction grows, so memory stays bounded.
/// </summary>
internal sealed class SqliteStorageWriter : BucketStorageWriter
{
    private readonly SqliteBucketStorage _storage;
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteStatements _sql;
    private readonly Dictionary<string, long> _bucketIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (uint Checksum, long Count, long LastOp)> _totals = [];
    private (long BucketId, long OpId, PendingOp Op)[] _ops = [];
    private SqliteTransaction? _tx;

    private SqliteStorageWriter(SqliteBucketStorage storage, SyncRulesVersion version, SqliteConnection connection, VersionState state)
        : base(version, storage.Options, state, storage.Checksums, storage.Options.Path + "-wal", "WAL")
    {
        _storage = storage;
        _connection = connection;
        _sql = new SqliteWriteStatements(connection, version.Id);
    }

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

    protected override Task<ReplicationState> ReadStateAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        // Inside an open transaction this includes progress written since the last commit.
        return Task.FromResult(SqliteVersionState.LoadReplicationState(_connection, Version.Id, _tx));
    }

    protected override async Task TruncateTableAsync(SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        // Rows changed in this batch are in the overlay; write them first so one pass over
        // current_data sees every row of the table.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        byte[]? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = _sql.ReadTableKeys(table.QualifiedName, after, 1000);
            if (chunk.Count == 0) break;
            foreach (var (key, membership) in chunk)
                Pending.Add(PendingChange.Deleted(table.QualifiedName, key, RowMembership.Decode(membership)));
            after = chunk[^1].Key;
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<RelationHistory> StoreRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        return Task.FromResult(Guarded(() =>
        {
            Begin();
            return _sql.RecordRelation(relationId, table.QualifiedName);
        }));
    }

    protected override byte[]? ReadRawRow(string table, byte[] key) => _sql.ReadCurrent(table, key)?.Raw;

    protected override VersionState BeginTransaction()
    {
        var tx = _connection.BeginTransaction(deferred: false);
        try
        {
            _sql.Begin(tx);
            var state = SqliteVersionState.Load(_connection, Version.Id, tx);
            _tx = tx;
            return state;
        }
        catch
        {
            tx.Dispose();
            throw;
        }
    }

    protected override void Activate() => _sql.Activate();

    protected override void SaveState(VersionState state) => _sql.SaveVersionState(state);

    protected override void CommitTransaction()
    {
        _tx!.Commit();
        _tx.Dispose();
        _tx = null;
        _sql.Begin(null);
    }

    /// <summary>Drops the open transaction and the bucket ids created in it.</summary>
    protected override void RollBackTransaction()
    {
        _bucketIds.Clear();
        _tx?.Dispose();
        _tx = null;
        _sql.Begin(null);
    }

    protected override void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => _storage.PublishCheckpoint(checkpoint, trace);

    protected override void VersionActivated() => _storage.OnVersionActivated(Version.Id);

    protected override void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into) =>
        _sql.ReadMemberships(table, keys, into);

    /// <summary>Assigns op ids and writes the batch; returns the version's last op id.</summary>
    protected override long WriteBatch(RowDiff.Batch batch, IReadOnlyDictionary<string, TableSnapshotProgress> progress, long lastOp, HashSet<string> touched)
    {
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
        foreach (var (table, tableProgress) in progress)
            _sql.SaveProgress(table, tableProgress);
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

    protected override ValueTask DisposeStoreAsync()
    {
        _sql.Dispose();
        _connection.Dispose();
        _storage.OnWriterClosed(Version.Id);
        return ValueTask.CompletedTask;
    }
}
