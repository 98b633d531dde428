using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>The writer's prepared statements, reused for every row (SQLite keeps them compiled).</summary>
internal sealed class SqliteWriteStatements : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly long _versionId;
    private readonly NativeStatement _insertOp;
    private readonly NativeStatement _insertParameter;
    private readonly NativeStatement _readCurrent;
    private readonly NativeStatement _readMembership;
    private readonly NativeStatement _upsertCurrent;
    private readonly NativeStatement _deleteCurrent;
    private readonly NativeStatement _bucketTotals;
    private readonly NativeStatement _getBucket;
    private readonly List<NativeStatement> _all = [];

    public SqliteWriteStatements(SqliteConnection connection, long versionId)
    {
        _connection = connection;
        _versionId = versionId;
        _insertOp = Prepare("""
            INSERT INTO bucket_data (bucket_id, op_id, op, object_type, object_id, subkey, data, checksum)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """);
        _insertParameter = Prepare("""
            INSERT INTO parameter_data (rules_id, lookup, source_table, source_key, op_id, parameters)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """);
        _readCurrent = Prepare("SELECT memberships, raw FROM current_data WHERE rules_id = ?1 AND source_table = ?2 AND source_key = ?3");
        _readMembership = Prepare("SELECT memberships FROM current_data WHERE rules_id = ?1 AND source_table = ?2 AND source_key = ?3");
        _upsertCurrent = Prepare("""
            INSERT INTO current_data (rules_id, source_table, source_key, memberships, raw) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (rules_id, source_table, source_key) DO UPDATE SET memberships = excluded.memberships, raw = excluded.raw
            """);
        _deleteCurrent = Prepare("DELETE FROM current_data WHERE rules_id = ?1 AND source_table = ?2 AND source_key = ?3");
        _bucketTotals = Prepare("""
            UPDATE buckets SET checksum = (checksum + ?1) & 4294967295, op_count = op_count + ?2, last_op = max(last_op, ?3)
            WHERE id = ?4
            """);
        _getBucket = Prepare("""
            INSERT INTO buckets (rules_id, name) VALUES (?1, ?2)
            ON CONFLICT (rules_id, name) DO UPDATE SET name = excluded.name
            RETURNING id
            """);
    }

    private NativeStatement Prepare(string sql)
    {
        var statement = new NativeStatement(_connection, sql);
        _all.Add(statement);
        return statement;
    }

    /// <summary>The transaction the ADO.NET helpers below run in (native statements follow the connection's).</summary>
    public void Begin(SqliteTransaction? tx) => Transaction = tx;

    private SqliteTransaction? Transaction { get; set; }

    public void InsertOps(ReadOnlySpan<(long BucketId, long OpId, PendingOp Op)> ops)
    {
        foreach (var (bucketId, opId, op) in ops)
        {
            _insertOp.Bind(1, bucketId).Bind(2, opId).Bind(3, (long)op.Op).Bind(4, op.ObjectType).Bind(5, op.ObjectId)
                .Bind(6, op.Subkey).Bind(7, op.Data).Bind(8, (long)op.Checksum).Execute();
        }
    }

    public void WriteCurrent(List<PendingRow> rows)
    {
        foreach (var row in rows)
        {
            if (row.Deleted)
            {
                DeleteCurrent(row.Table, row.Key);
                continue;
            }
            var size = row.Membership.EncodedSize();
            if (_membership.Length < size) _membership = new byte[Math.Max(size, _membership.Length * 2)];
            row.Membership.Encode(_membership);
            _upsertCurrent.Bind(1, _versionId).Bind(2, row.Table).Bind(3, row.Key).Bind(4, _membership.AsSpan(0, size)).Bind(5, row.Raw).Execute();
        }
    }

    private byte[] _membership = new byte[256];

    /// <summary>Loads the stored memberships of <paramref name="keys"/> (rows not stored are left out).</summary>
    public void ReadMemberships(string table, List<(string ReplicaId, byte[] Key)> keys, Dictionary<string, RowMembership> into)
    {
        foreach (var (replicaId, key) in keys)
        {
            _readMembership.Bind(1, _versionId).Bind(2, table).Bind(3, key);
            if (!_readMembership.Read()) continue;
            into[replicaId] = RowMembership.Decode(_readMembership.BlobSpan(0));
            _readMembership.Reset();
        }
    }

    public void InsertParameter(PendingParameter parameter, long opId) =>
        _insertParameter.Bind(1, _versionId).Bind(2, parameter.Lookup).Bind(3, parameter.Table).Bind(4, parameter.Key)
            .Bind(5, opId).Bind(6, parameter.Parameters).Execute();

    public (byte[] Membership, byte[]? Raw)? ReadCurrent(string table, byte[] key)
    {
        _readCurrent.Bind(1, _versionId).Bind(2, table).Bind(3, key);
        if (!_readCurrent.Read()) return null;
        var result = (_readCurrent.Blob(0)!, _readCurrent.Blob(1));
        _readCurrent.Reset();
        return result;
    }

    public List<(byte[] Key, byte[] Membership)> ReadTableKeys(string table, byte[]? after, int limit)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = """
            SELECT source_key, memberships FROM current_data
            WHERE rules_id = $r AND source_table = $t AND source_key > $after
            ORDER BY source_key LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$r", _versionId);
        cmd.Parameters.AddWithValue("$t", table);
        cmd.Parameters.AddWithValue("$after", after ?? []);
        cmd.Parameters.AddWithValue("$limit", limit);
        var rows = new List<(byte[], byte[])>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) rows.Add(((byte[])reader.GetValue(0), (byte[])reader.GetValue(1)));
        return rows;
    }

    public RelationHistory RecordRelation(uint relationId, string table)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = """
            SELECT (SELECT table_name FROM source_relations WHERE rules_id = $r AND relation_id = $id),
                   (SELECT relation_id FROM source_relations WHERE rules_id = $r AND table_name = $t AND relation_id <> $id LIMIT 1);
            DELETE FROM source_relations WHERE rules_id = $r AND (relation_id = $id OR table_name = $t);
            INSERT INTO source_relations (rules_id, relation_id, table_name) VALUES ($r, $id, $t);
            """;
        cmd.Parameters.AddWithValue("$r", _versionId);
        cmd.Parameters.AddWithValue("$id", (long)relationId);
        cmd.Parameters.AddWithValue("$t", table);
        using var reader = cmd.ExecuteReader();
        reader.Read();
        var history = new RelationHistory(reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : (uint)reader.GetInt64(1));
        while (reader.NextResult())
        {
            // Runs the DELETE and INSERT.
        }
        return history;
    }

    public void DeleteCurrent(string table, byte[] key) =>
        _deleteCurrent.Bind(1, _versionId).Bind(2, table).Bind(3, key).Execute();

    public void AddBucketTotals(long bucketId, uint checksum, long count, long lastOp) =>
        _bucketTotals.Bind(1, checksum).Bind(2, count).Bind(3, lastOp).Bind(4, bucketId).Execute();

    public long GetOrCreateBucket(string name)
    {
        _getBucket.Bind(1, _versionId).Bind(2, name);
        if (!_getBucket.Read()) throw new InvalidOperationException($"Bucket '{name}' could not be created.");
        var id = _getBucket.Int64(0);
        _getBucket.Read();
        return id;
    }

    public long ReadNextOpId() => (long)Scalar("SELECT value FROM meta WHERE key = 'next_op_id'")!;

    public void WriteNextOpId(long next) =>
        NonQuery("UPDATE meta SET value = $v WHERE key = 'next_op_id'", ("$v", next));

    public void SaveProgress(string table, TableSnapshotProgress progress) =>
        NonQuery("""
            INSERT INTO snapshot_progress (rules_id, table_name, last_key, done) VALUES ($r, $t, $k, $d)
            ON CONFLICT (rules_id, table_name) DO UPDATE SET last_key = excluded.last_key, done = excluded.done
            """, ("$r", _versionId), ("$t", table), ("$k", (object?)progress.LastKey ?? DBNull.Value), ("$d", progress.Done ? 1 : 0));

    public void Activate()
    {
        NonQuery("UPDATE sync_rules SET state = $stopped WHERE state = $active AND id <> $id",
            ("$stopped", (int)SyncRulesState.Stopped), ("$active", (int)SyncRulesState.Active), ("$id", _versionId));
        NonQuery("UPDATE sync_rules SET state = $active WHERE id = $id",
            ("$active", (int)SyncRulesState.Active), ("$id", _versionId));
    }

    public void SaveVersionState(VersionState state) =>
        NonQuery("""
            UPDATE sync_rules SET snapshot_done = $sd, no_checkpoint_before = $ncb, resume_lsn = $rl,
                checkpoint_op = $co, checkpoint_lsn = $cl, last_op = $lo
            WHERE id = $id
            """,
            ("$sd", state.SnapshotDone ? 1 : 0),
            ("$ncb", StoredLsn.ToStored(state.NoCheckpointBefore)),
            ("$rl", state.ResumeLsn is { } r ? StoredLsn.ToStored(r) : DBNull.Value),
            ("$co", state.Checkpoint is { } c ? c.OpId.Value : DBNull.Value),
            ("$cl", state.Checkpoint is { } c2 ? StoredLsn.ToStored(c2.Lsn) : DBNull.Value),
            ("$lo", state.LastOp),
            ("$id", _versionId));

    private object? Scalar(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private void NonQuery(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = Transaction;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var statement in _all) statement.Dispose();
    }
}
