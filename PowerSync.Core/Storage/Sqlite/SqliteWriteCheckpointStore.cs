using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Write checkpoints as rows (key, id, lsn): a checkpoint at LSN L shows the newest id recorded at or before L.</summary>
internal sealed class SqliteWriteCheckpointStore(SqliteBucketStorage storage) : IWriteCheckpointStore
{
    public Task<long> CreateAsync(string key, Lsn headLsn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var id = MaxId(connection, tx, key) + 1;
        Insert(connection, tx, key, id, headLsn);
        tx.Commit();
        return Task.FromResult(id);
    }

    public Task<long> RequestAsync(string key, long requestedId, Lsn headLsn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (requestedId < 1)
        {
            throw new PowerSyncException(StorageErrorCodes.InvalidCheckpointRequest,
                $"checkpoint_request_id must be between 1 and 9223372036854775807, not {requestedId}: send a positive id that grows with each request.");
        }
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var stored = MaxId(connection, tx, key);
        if (requestedId > stored)
        {
            Insert(connection, tx, key, requestedId, headLsn);
            stored = requestedId;
        }
        tx.Commit();
        return Task.FromResult(stored);
    }

    public Task<long?> GetAsync(string key, Lsn checkpointLsn, CancellationToken ct)
    {
        using var connection = storage.OpenReadConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, lsn FROM write_checkpoints WHERE key = $k ORDER BY id DESC";
        cmd.Parameters.AddWithValue("$k", key);
        using var reader = cmd.ExecuteReader();
        // LSNs are unsigned: compare them as Lsn values, not as SQLite integers.
        while (reader.Read())
        {
            if (SourceRowIdentity.FromStored(reader.GetInt64(1)) <= checkpointLsn)
                return Task.FromResult<long?>(reader.GetInt64(0));
        }
        return Task.FromResult<long?>(null);
    }

    private static long MaxId(SqliteConnection connection, SqliteTransaction tx, string key)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT coalesce(max(id), 0) FROM write_checkpoints WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return (long)cmd.ExecuteScalar()!;
    }

    private static void Insert(SqliteConnection connection, SqliteTransaction tx, string key, long id, Lsn lsn)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO write_checkpoints (key, id, lsn) VALUES ($k, $id, $lsn)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$lsn", SourceRowIdentity.ToStored(lsn));
        cmd.ExecuteNonQuery();
    }
}
