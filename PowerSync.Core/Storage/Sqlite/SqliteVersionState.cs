using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Loads a version's row of <c>sync_rules</c>: its state and replication progress.</summary>
internal static class SqliteVersionState
{
    public static VersionState Load(SqliteConnection connection, long versionId, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            SELECT state, snapshot_done, no_checkpoint_before, resume_lsn, checkpoint_op, checkpoint_lsn, last_op
            FROM sync_rules WHERE id = $id
            """;
        cmd.Parameters.AddWithValue("$id", versionId);
        using var reader = cmd.ExecuteReader();
        if (!reader.Read())
            throw new InvalidOperationException($"Sync-rules version {versionId} does not exist in this store.");
        return new VersionState(
            (SyncRulesState)reader.GetInt32(0),
            reader.GetInt64(1) != 0,
            StoredLsn.FromStored(reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : StoredLsn.FromStored(reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : new Checkpoint(versionId, new OpId(reader.GetInt64(4)), StoredLsn.FromStored(reader.GetInt64(5))),
            reader.GetInt64(6));
    }

    public static ReplicationState LoadReplicationState(SqliteConnection connection, long versionId, SqliteTransaction? tx = null)
    {
        var state = Load(connection, versionId, tx);
        var tables = new Dictionary<string, TableSnapshotProgress>(StringComparer.Ordinal);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT table_name, last_key, done FROM snapshot_progress WHERE rules_id = $id";
        cmd.Parameters.AddWithValue("$id", versionId);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            tables[reader.GetString(0)] = new TableSnapshotProgress(reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2) != 0);
        return new ReplicationState(state.ResumeLsn, state.SnapshotDone, state.NoCheckpointBefore, state.Checkpoint, tables);
    }
}
