using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// Write checkpoints as rows (key, id, lsn): a checkpoint at LSN L shows the newest id recorded at or
/// before L. Every session asks at every checkpoint, so each key's rows are also kept in memory once
/// read (this store is their only writer), and most keys — clients that never wrote — cost nothing.
/// </summary>
internal sealed class SqliteWriteCheckpointStore(SqliteBucketStorage storage) : IWriteCheckpointStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<(long Id, Lsn Lsn)>> _byKey = new(StringComparer.Ordinal);

    public Task<long> CreateAsync(string key, Lsn headLsn, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var id = MaxId(connection, tx, key) + 1;
        Insert(connection, tx, key, id, headLsn);
        tx.Commit();
        Remember(key, id, headLsn);
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
        var inserted = requestedId > stored;
        if (inserted)
        {
            Insert(connection, tx, key, requestedId, headLsn);
            stored = requestedId;
        }
        tx.Commit();
        if (inserted) Remember(key, requestedId, headLsn);
        return Task.FromResult(stored);
    }

    public Task<long?> GetAsync(string key, Lsn checkpointLsn, CancellationToken ct)
    {
        var rows = _byKey.GetOrAdd(key, Load);
        lock (rows)
        {
            // LSNs are unsigned: compare them as Lsn values. Rows are kept newest id first.
            foreach (var (id, lsn) in rows)
            {
                if (lsn <= checkpointLsn) return Task.FromResult<long?>(id);
            }
        }
        return Task.FromResult<long?>(null);
    }

    private List<(long Id, Lsn Lsn)> Load(string key)
    {
        using var connection = storage.OpenReadConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, lsn FROM write_checkpoints WHERE key = $k ORDER BY id DESC";
        cmd.Parameters.AddWithValue("$k", key);
        using var reader = cmd.ExecuteReader();
        var rows = new List<(long, Lsn)>();
        while (reader.Read()) rows.Add((reader.GetInt64(0), StoredLsn.FromStored(reader.GetInt64(1))));
        return rows;
    }

    private void Remember(string key, long id, Lsn lsn)
    {
        var rows = _byKey.GetOrAdd(key, Load);
        lock (rows)
        {
            if (rows.Count == 0 || rows[0].Id < id) rows.Insert(0, (id, lsn));
        }
    }

    /// <summary>Forget everything (the store was reset).</summary>
    internal void Clear() => _byKey.Clear();

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
        cmd.Parameters.AddWithValue("$lsn", StoredLsn.ToStored(lsn));
        cmd.ExecuteNonQuery();
    }
}
