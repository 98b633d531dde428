using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>Loads a version's row of <c>sync_rules</c>: its state and replication progress.</summary>
internal static class PostgresVersionState
{
    public static VersionState Load(NpgsqlConnection connection, string schema, long versionId, NpgsqlTransaction? tx, bool forUpdate = false)
    {
        using var cmd = new NpgsqlCommand($"""
            SELECT state, snapshot_done, no_checkpoint_before, resume_lsn, checkpoint_op, checkpoint_lsn, last_op
            FROM {schema}.sync_rules WHERE id = $1{(forUpdate ? " FOR UPDATE" : "")}
            """, connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = versionId });
        using var reader = cmd.ExecuteReader();
        if (!reader.Read())
            throw new InvalidOperationException($"Sync-rules version {versionId} does not exist in this store.");
        return Read(reader, versionId);
    }

    /// <summary>A state from the columns <c>state, snapshot_done, no_checkpoint_before, resume_lsn, checkpoint_op, checkpoint_lsn, last_op</c> at <paramref name="first"/>.</summary>
    public static VersionState Read(NpgsqlDataReader reader, long versionId, int first = 0) => new(
        (SyncRulesState)reader.GetInt32(first),
        reader.GetBoolean(first + 1),
        StoredLsn.FromStored(reader.GetInt64(first + 2)),
        reader.IsDBNull(first + 3) ? null : StoredLsn.FromStored(reader.GetInt64(first + 3)),
        reader.IsDBNull(first + 4) ? null : new Checkpoint(versionId, new OpId(reader.GetInt64(first + 4)), StoredLsn.FromStored(reader.GetInt64(first + 5))),
        reader.GetInt64(first + 6));

    public static ReplicationState LoadReplicationState(NpgsqlConnection connection, string schema, long versionId, NpgsqlTransaction? tx)
    {
        var state = Load(connection, schema, versionId, tx);
        var tables = new Dictionary<string, TableSnapshotProgress>(StringComparer.Ordinal);
        using var cmd = new NpgsqlCommand($"SELECT table_name, last_key, done FROM {schema}.snapshot_progress WHERE rules_id = $1", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = versionId });
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            tables[reader.GetString(0)] = new TableSnapshotProgress(reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2));
        return new ReplicationState(state.ResumeLsn, state.SnapshotDone, state.NoCheckpointBefore, state.Checkpoint, tables);
    }
}
