using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// The single writer of one sync-rules version on the Postgres store, whichever instance holds its
/// <see cref="PostgresWriterLease"/> (the write path is <see cref="BucketStorageWriter"/>'s). Everything between
/// two commits is one Postgres transaction on the writer's own connection: ops and rows not stored before go in by
/// binary COPY, changed and deleted rows, totals and progress as one batch of array statements per flush. A transaction starts by locking the store's op-id
/// counter, so writers of different versions take turns as they do in the embedded stores, always locking in the
/// same order. Its last statement before <c>COMMIT</c> checks the lease's fencing token: a writer that lost its
/// lease (paused, cut off, taken over) cannot commit.
/// </summary>
internal sealed class PostgresStorageWriter : BucketStorageWriter
{
    private readonly PostgresBucketStorage _storage;
    private readonly NpgsqlConnection _connection;
    private readonly PostgresWriterLease _lease;
    private readonly string _s;
    private readonly Dictionary<string, long> _bucketIds = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (uint Checksum, long Count, long LastOp)> _totals = [];
    // The lookup's scratch collections, kept across flushes with their capacity.
    private readonly List<byte[]> _lookupKeys = [];
    private readonly Dictionary<byte[], string> _lookupReplicaIds = new(ByteContent.Comparer);
    private byte[] _utf8 = new byte[1024];
    private NpgsqlTransaction? _tx;
    private long _nextOpId;
    private HashSet<string>? _touched;

    private PostgresStorageWriter(PostgresBucketStorage storage, SyncRulesVersion version, NpgsqlConnection connection, PostgresWriterLease lease, VersionState state)
        : base(version, storage.Options, state, storage.Checksums, logPath: "", logName: "")
    {
        _storage = storage;
        _connection = connection;
        _lease = lease;
        _s = storage.Schema;
    }

    internal static async Task<PostgresStorageWriter> OpenAsync(PostgresBucketStorage storage, SyncRulesVersion version, CancellationToken cancellationToken)
    {
        var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        PostgresWriterLease? lease = null;
        try
        {
            var state = PostgresVersionState.Load(connection, storage.Schema, version.Id, null);
            state.EnsureWritable(version.Id, whileReplicating: false);
            lease = await PostgresWriterLease.AcquireAsync(storage, version.Id, connection, cancellationToken).ConfigureAwait(false);
            return new PostgresStorageWriter(storage, version, connection, lease, state);
        }
        catch
        {
            if (lease is not null) await lease.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public bool HoldsSharedLease => _lease.Token > 0;

    /// <summary>Every flush waits on Postgres: it runs while the replicator evaluates the next changes.</summary>
    protected override bool PipelinesWrites => true;

    /// <summary>New rows go in by COPY into <c>current_data</c>, whose primary key refuses a stored one (see <see cref="WriteNewRows"/>).</summary>
    protected override bool VerifiesNewRows => true;

    /// <summary>The fencing token this writer commits under.</summary>
    internal long FencingToken => _lease.Token;

    protected override Task<ReplicationState> ReadStateAsync(CancellationToken cancellationToken)
    {
        EnsureUsable();
        // Inside an open transaction this includes progress written since the last commit.
        return Task.FromResult(PostgresVersionState.LoadReplicationState(_connection, _s, Version.Id, _tx));
    }

    protected override async Task TruncateTableAsync(SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        // Rows changed in this batch are buffered; write them first so one pass over current_data sees every row.
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        byte[] after = [];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = Guarded(() =>
            {
                Begin();
                return ReadTableKeys(table.QualifiedName, after, 1000);
            });
            if (chunk.Count == 0) break;
            foreach (var (key, membership) in chunk)
                Pending.Add(PendingChange.Deleted(table.QualifiedName, key, RowMembership.Decode(membership)));
            after = chunk[^1].Key;
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private List<(byte[] Key, byte[] Membership)> ReadTableKeys(string table, byte[] after, int limit)
    {
        using var cmd = Command($"""
            SELECT source_key, memberships FROM {_s}.current_data
            WHERE rules_id = $1 AND source_table = $2 AND source_key > $3 ORDER BY source_key LIMIT $4
            """, Version.Id, table, after, limit);
        using var reader = cmd.ExecuteReader();
        var rows = new List<(byte[], byte[])>();
        while (reader.Read()) rows.Add((reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<byte[]>(1)));
        return rows;
    }

    protected override Task<RelationHistory> StoreRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureUsable();
        return Task.FromResult(Guarded(() =>
        {
            Begin();
            RelationHistory history;
            using (var cmd = Command($"""
                SELECT (SELECT table_name FROM {_s}.source_relations WHERE rules_id = $1 AND relation_id = $2),
                       (SELECT relation_id FROM {_s}.source_relations WHERE rules_id = $1 AND table_name = $3 AND relation_id <> $2 LIMIT 1)
                """, Version.Id, (long)relationId, table.QualifiedName))
            using (var reader = cmd.ExecuteReader())
            {
                reader.Read();
                history = new RelationHistory(reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : (uint)reader.GetInt64(1));
            }
            using (var cmd = Command($"""
                DELETE FROM {_s}.source_relations WHERE rules_id = $1 AND (relation_id = $2 OR table_name = $3);
                """, Version.Id, (long)relationId, table.QualifiedName))
                cmd.ExecuteNonQuery();
            using (var cmd = Command($"INSERT INTO {_s}.source_relations (rules_id, relation_id, table_name) VALUES ($1, $2, $3)",
                Version.Id, (long)relationId, table.QualifiedName))
                cmd.ExecuteNonQuery();
            return history;
        }));
    }

    protected override byte[]? ReadRawRow(string table, byte[] key)
    {
        // On the writer's connection, so rows flushed in its open transaction are seen.
        using var cmd = Command($"SELECT raw FROM {_s}.current_data WHERE rules_id = $1 AND source_table = $2 AND source_key = $3", Version.Id, table, key);
        using var reader = cmd.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetFieldValue<byte[]>(0) : null;
    }

    protected override VersionState BeginTransaction()
    {
        try
        {
            _lease.EnsureHeld();
        }
        catch (PowerSyncException e) when (e.Code == StorageErrorCodes.WriterLeaseLost)
        {
            // A version replaced by a newer one loses its lease row with its data: say that, the cause, rather than the lease.
            PostgresVersionState.Load(_connection, _s, Version.Id, null).EnsureWritable(Version.Id, whileReplicating: true);
            throw;
        }
        var tx = _connection.BeginTransaction();
        try
        {
            _tx = tx;
            // Writers take turns on the op-id counter first, then lock their version's row: one order for all.
            using (var cmd = Command($"SELECT value FROM {_s}.meta WHERE key = 'next_op_id' FOR UPDATE"))
                _nextOpId = (long)cmd.ExecuteScalar()!;
            var state = PostgresVersionState.Load(_connection, _s, Version.Id, tx, forUpdate: true);
            _begunCheckpoint = state.Checkpoint;
            return state;
        }
        catch
        {
            _tx = null;
            tx.Dispose();
            throw;
        }
    }

    protected override void Activate()
    {
        using var cmd = Command($"""
            UPDATE {_s}.sync_rules SET state = {(int)SyncRulesState.Stopped} WHERE state = {(int)SyncRulesState.Active} AND id <> $1;
            """, Version.Id);
        cmd.ExecuteNonQuery();
        using var activate = Command($"UPDATE {_s}.sync_rules SET state = {(int)SyncRulesState.Active} WHERE id = $1", Version.Id);
        activate.ExecuteNonQuery();
    }

    private VersionState? _saved;
    private Checkpoint? _begunCheckpoint;

    protected override void SaveState(VersionState state)
    {
        using var cmd = Command($"""
            UPDATE {_s}.sync_rules SET snapshot_done = $1, no_checkpoint_before = $2, resume_lsn = $3,
                checkpoint_op = $4, checkpoint_lsn = $5, last_op = $6
            WHERE id = $7
            """,
            state.SnapshotDone,
            StoredLsn.ToStored(state.NoCheckpointBefore),
            state.ResumeLsn is { } r ? StoredLsn.ToStored(r) : null,
            state.Checkpoint is { } c ? c.OpId.Value : null,
            state.Checkpoint is { } c2 ? StoredLsn.ToStored(c2.Lsn) : null,
            state.LastOp,
            Version.Id);
        cmd.ExecuteNonQuery();
        _saved = state;
    }

    protected override void CommitTransaction()
    {
        // The fence, last: a writer whose lease was taken over finds no row with its token, and rolls back. Holding
        // the lease row from here to COMMIT makes a takeover wait for this commit, never slip in before it.
        using (var fence = Command($"UPDATE {_s}.replication_leases SET expires_at = greatest(expires_at, now()) WHERE rules_id = $1 AND token = $2",
            Version.Id, _lease.Token))
        {
            if (fence.ExecuteNonQuery() != 1)
            {
                _lease.MarkLost();
                throw _lease.LostError();
            }
        }
        if (_saved is { Checkpoint: { } checkpoint, State: SyncRulesState.Active } && checkpoint != _begunCheckpoint)
        {
            // Delivered to every listening instance when (and only if) this transaction commits, in commit order.
            using var notify = Command("SELECT pg_notify($1, $2)", PostgresSchema.Channel(_s),
                PostgresNotification.Checkpoint(checkpoint, _touched));
            notify.ExecuteNonQuery();
        }
        _tx!.Commit();
        EndTransaction();
    }

    /// <summary>Drops the open transaction and the bucket ids created in it.</summary>
    protected override void RollBackTransaction()
    {
        _bucketIds.Clear();
        try
        {
            _tx?.Dispose();
        }
        catch (NpgsqlException)
        {
            // The connection broke: the server rolled the transaction back with it.
        }
        EndTransaction();
    }

    private void EndTransaction()
    {
        _tx = null;
        _saved = null;
        _touched = null;
    }

    protected override void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => _storage.PublishCheckpoint(checkpoint, trace);

    protected override void VersionActivated() => _storage.OnVersionActivated();

    protected override void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into)
    {
        _lookupKeys.Clear();
        _lookupReplicaIds.Clear();
        foreach (var (replicaId, key) in keys)
        {
            _lookupKeys.Add(key);
            _lookupReplicaIds[key] = replicaId;
        }
        using var cmd = Command($"""
            SELECT source_key, memberships FROM {_s}.current_data
            WHERE rules_id = $1 AND source_table = $2 AND source_key = ANY($3)
            """, Version.Id, table, _lookupKeys);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var key = reader.GetFieldValue<byte[]>(0);
            if (_lookupReplicaIds.TryGetValue(key, out var replicaId)) into[replicaId] = RowMembership.Decode(reader.GetFieldValue<byte[]>(1));
        }
    }

    /// <summary>Assigns op ids and writes the batch; returns the version's last op id.</summary>
    protected override long WriteBatch(RowDiff.Batch batch, IReadOnlyDictionary<string, TableSnapshotProgress> progress, long lastOp, HashSet<string> touched)
    {
        // First, so that a row assumed new but stored fails the batch before anything else of it is written.
        var rows = WriteNewRows(batch);
        _touched = touched;
        var nextOpId = _nextOpId;
        var totals = _totals;
        totals.Clear();
        ResolveBucketIds(batch.Ops);
        if (batch.Ops.Count > 0)
        {
            using var copy = _connection.BeginBinaryImport(
                $"COPY {_s}.bucket_data (bucket_id, op_id, op, object_type, object_id, subkey, data, checksum) FROM STDIN (FORMAT BINARY)");
            foreach (var op in batch.Ops)
            {
                var opId = nextOpId++;
                var bucketId = _bucketIds[op.Bucket];
                touched.Add(op.Bucket);
                totals[bucketId] = totals.TryGetValue(bucketId, out var t)
                    ? (OpChecksum.Add(t.Checksum, op.Checksum), t.Count + 1, opId)
                    : (op.Checksum, 1, opId);
                copy.StartRow();
                copy.Write(bucketId, NpgsqlDbType.Bigint);
                copy.Write(opId, NpgsqlDbType.Bigint);
                copy.Write((short)op.Op, NpgsqlDbType.Smallint);
                WriteUtf8(copy, op.ObjectType);
                WriteUtf8(copy, op.ObjectId);
                WriteUtf8(copy, op.Subkey);
                WriteUtf8(copy, op.Data);
                copy.Write((long)op.Checksum, NpgsqlDbType.Bigint);
            }
            copy.Complete();
        }
        if (batch.Parameters.Count > 0)
        {
            using var copy = _connection.BeginBinaryImport(
                $"COPY {_s}.parameter_data (rules_id, lookup, source_table, source_key, op_id, parameters) FROM STDIN (FORMAT BINARY)");
            foreach (var p in batch.Parameters)
            {
                copy.StartRow();
                copy.Write(Version.Id, NpgsqlDbType.Bigint);
                copy.Write(p.Lookup, NpgsqlDbType.Text);
                copy.Write(p.Table, NpgsqlDbType.Text);
                copy.Write(p.Key, NpgsqlDbType.Bytea);
                copy.Write(nextOpId++, NpgsqlDbType.Bigint);
                if (p.Parameters is null) copy.WriteNull();
                else copy.Write(p.Parameters, NpgsqlDbType.Text);
            }
            copy.Complete();
        }
        using (var write = new NpgsqlBatch(_connection, _tx))
        {
            AddRowWrites(write, rows);
            AddTotals(write, totals);
            foreach (var (table, tableProgress) in progress)
            {
                write.BatchCommands.Add(BatchCommand($"""
                    INSERT INTO {_s}.snapshot_progress (rules_id, table_name, last_key, done) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (rules_id, table_name) DO UPDATE SET last_key = excluded.last_key, done = excluded.done
                    """, Version.Id, table, tableProgress.LastKey, tableProgress.Done));
            }
            write.BatchCommands.Add(BatchCommand($"UPDATE {_s}.meta SET value = $1 WHERE key = 'next_op_id'", nextOpId));
            write.ExecuteNonQuery();
        }
        _nextOpId = nextOpId;
        return Math.Max(lastOp, nextOpId - 1);
    }

    /// <summary>Writes text as its UTF-8 bytes through a buffer kept for the purpose (the importer copies them).</summary>
    private void WriteUtf8(NpgsqlBinaryImporter copy, string? text)
    {
        if (text is null)
        {
            copy.WriteNull();
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > _utf8.Length) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        var length = Encoding.UTF8.GetBytes(text, _utf8);
        copy.Write(new ArraySegment<byte>(_utf8, 0, length), NpgsqlDbType.Bytea);
    }

    /// <summary>
    /// Writes the batch's new rows (not stored before: looked up and missing, or inserted and assumed missing) by
    /// binary COPY, as an upsert costs Postgres a speculative insertion per row; returns the others, for
    /// <see cref="AddRowWrites"/>. Rows only assumed new go in under a savepoint: one that was stored after all
    /// violates the primary key, which undoes the copy and throws <see cref="BucketStorageWriter.AssumedNewRowStoredException"/>.
    /// </summary>
    private List<PendingRow> WriteNewRows(RowDiff.Batch batch)
    {
        const string Savepoint = "assumed_new_rows";
        var verify = batch.AssumedNew > 0;
        if (verify) _tx!.Save(Savepoint);
        var others = new List<PendingRow>();
        NpgsqlBinaryImporter? copy = null;
        try
        {
            foreach (var row in batch.Rows)
            {
                if (row.Deleted || !row.New)
                {
                    others.Add(row);
                    continue;
                }
                copy ??= _connection.BeginBinaryImport(
                    $"COPY {_s}.current_data (rules_id, source_table, source_key, memberships, raw) FROM STDIN (FORMAT BINARY)");
                copy.StartRow();
                copy.Write(Version.Id, NpgsqlDbType.Bigint);
                copy.Write(row.Table, NpgsqlDbType.Text);
                copy.Write(row.Key, NpgsqlDbType.Bytea);
                copy.Write(row.Membership.Encode(), NpgsqlDbType.Bytea);
                if (row.Raw is null) copy.WriteNull();
                else copy.Write(row.Raw, NpgsqlDbType.Bytea);
            }
            copy?.Complete();
        }
        catch (PostgresException e) when (verify && e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            copy?.Dispose();
            copy = null;
            _tx!.Rollback(Savepoint);
            throw new AssumedNewRowStoredException($"An inserted row of the batch was already stored ({e.ConstraintName}).", e);
        }
        finally
        {
            copy?.Dispose();
        }
        if (verify) _tx!.Release(Savepoint);
        return others;
    }

    /// <summary>Rows' new memberships (upserted) and deleted rows (removed), one array statement each.</summary>
    private void AddRowWrites(NpgsqlBatch write, List<PendingRow> rows)
    {
        var kept = rows.Where(r => !r.Deleted).ToList();
        var deleted = rows.Where(r => r.Deleted).ToList();
        if (kept.Count > 0)
        {
            write.BatchCommands.Add(BatchCommand($"""
                INSERT INTO {_s}.current_data (rules_id, source_table, source_key, memberships, raw)
                SELECT $1, t, k, m, r FROM unnest($2::text[], $3::bytea[], $4::bytea[], $5::bytea[]) AS u(t, k, m, r)
                ON CONFLICT (rules_id, source_table, source_key) DO UPDATE SET memberships = excluded.memberships, raw = excluded.raw
                """, Version.Id, kept.Select(r => r.Table).ToArray(), kept.Select(r => r.Key).ToArray(),
                kept.Select(r => r.Membership.Encode()).ToArray(), kept.Select(r => r.Raw).ToArray()));
        }
        if (deleted.Count > 0)
        {
            write.BatchCommands.Add(BatchCommand($"""
                DELETE FROM {_s}.current_data c USING unnest($2::text[], $3::bytea[]) AS u(t, k)
                WHERE c.rules_id = $1 AND c.source_table = u.t AND c.source_key = u.k
                """, Version.Id, deleted.Select(r => r.Table).ToArray(), deleted.Select(r => r.Key).ToArray()));
        }
    }

    private void AddTotals(NpgsqlBatch write, Dictionary<long, (uint Checksum, long Count, long LastOp)> totals)
    {
        if (totals.Count == 0) return;
        var ids = new long[totals.Count];
        var sums = new long[totals.Count];
        var counts = new long[totals.Count];
        var lasts = new long[totals.Count];
        var i = 0;
        foreach (var (id, t) in totals)
        {
            (ids[i], sums[i], counts[i], lasts[i]) = (id, t.Checksum, t.Count, t.LastOp);
            i++;
        }
        write.BatchCommands.Add(BatchCommand($"""
            UPDATE {_s}.buckets b SET checksum = (b.checksum + u.c) % 4294967296, op_count = b.op_count + u.n, last_op = greatest(b.last_op, u.l)
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS u(id, c, n, l) WHERE b.id = u.id
            """, ids, sums, counts, lasts));
    }

    /// <summary>Finds or creates the ids of the batch's buckets not seen in this transaction yet, in one statement.</summary>
    private void ResolveBucketIds(List<PendingOp> ops)
    {
        if (_bucketIds.Count >= 100_000) _bucketIds.Clear();
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            if (!_bucketIds.ContainsKey(op.Bucket)) missing.Add(op.Bucket);
        }
        if (missing.Count == 0) return;
        // Sorted, so two statements creating the same buckets lock them in the same order.
        var names = missing.Order(StringComparer.Ordinal).ToArray();
        using var cmd = Command($"""
            INSERT INTO {_s}.buckets (rules_id, name) SELECT $1, n FROM unnest($2::text[]) AS u(n)
            ON CONFLICT (rules_id, name) DO UPDATE SET name = excluded.name
            RETURNING name, id
            """, Version.Id, names);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) _bucketIds[reader.GetString(0)] = reader.GetInt64(1);
    }

    private NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, _connection, _tx);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return cmd;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return cmd;
    }

    protected override async ValueTask DisposeStoreAsync()
    {
        await _lease.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _storage.OnWriterClosed(Version.Id);
    }
}
