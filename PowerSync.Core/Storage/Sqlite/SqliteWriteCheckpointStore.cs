using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// Write checkpoints as rows (user, client, id, lsn), at most <see cref="WriteCheckpointRows.Kept"/> per key.
/// Every session asks at every checkpoint, so keys that sessions read are cached in memory, at most
/// <see cref="MaxCachedKeys"/> of them (the cache starts over when full); writes only refresh keys already
/// cached. Rows of the old single-string key (<c>write_checkpoints</c>, written before keys were structured)
/// are read as a key's history until it records an id of its own, which continues after them.
/// </summary>
internal sealed class SqliteWriteCheckpointStore(SqliteBucketStorage storage) : IWriteCheckpointStore
{
    /// <summary>Keys whose rows are kept in memory at most.</summary>
    public const int MaxCachedKeys = 20_000;

    private readonly ConcurrentDictionary<WriteCheckpointKey, (long Id, Lsn Lsn)[]> _cache = new();
    private readonly object _gate = new();
    private long _writes;

    public Task<long> CreateAsync(WriteCheckpointKey key, Lsn headLsn, CancellationToken cancellationToken) =>
        Task.FromResult(Record(key, stored => WriteCheckpointRows.Next(stored), headLsn));

    public Task<long> RequestAsync(WriteCheckpointKey key, long requestedId, Lsn headLsn, CancellationToken cancellationToken)
    {
        WriteCheckpointRows.CheckRequested(requestedId);
        return Task.FromResult(Record(key, stored => requestedId > stored ? requestedId : null, headLsn));
    }

    public Task<long?> GetAsync(WriteCheckpointKey key, Lsn checkpointLsn, CancellationToken cancellationToken)
    {
        if (!_cache.TryGetValue(key, out var rows))
        {
            var writes = Volatile.Read(ref _writes);
            using (var connection = storage.OpenReadConnection()) rows = Load(connection, null, key);
            // Cached only when no write ran meanwhile: one that did might not be in what was read.
            lock (_gate)
            {
                if (_writes == writes)
                {
                    if (_cache.Count >= MaxCachedKeys) _cache.Clear();
                    _cache[key] = rows;
                }
            }
        }
        return Task.FromResult(WriteCheckpointRows.At(rows, checkpointLsn));
    }

    /// <summary>Stores the id <paramref name="next"/> gives for the stored one (null: keep it); returns the id stored afterwards.</summary>
    private long Record(WriteCheckpointKey key, Func<long, long?> next, Lsn headLsn)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.UserId);
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var (rows, legacy) = LoadForWrite(connection, tx, key);
        var stored = rows.Length == 0 ? 0 : rows[0].Id;
        if (next(stored) is not { } id) return stored;
        // The first id of a key that only has legacy rows carries the newest of them over as its history.
        if (legacy && rows.Length > 0) Insert(connection, tx, key, rows[0].Id, rows[0].Lsn);
        Insert(connection, tx, key, id, headLsn);
        Prune(connection, tx, key);
        tx.Commit();
        lock (_gate)
        {
            _writes++;
            if (_cache.ContainsKey(key)) _cache[key] = WriteCheckpointRows.After(rows, id, headLsn);
        }
        return id;
    }

    /// <summary>Forget everything (the store was reset).</summary>
    internal void Clear()
    {
        lock (_gate)
        {
            _writes++;
            _cache.Clear();
        }
    }

    /// <summary>Keys whose rows are in memory now.</summary>
    internal int CachedKeys => _cache.Count;

    private static (long Id, Lsn Lsn)[] Load(SqliteConnection connection, SqliteTransaction? tx, WriteCheckpointKey key) =>
        LoadForWrite(connection, tx, key).Rows;

    private static ((long Id, Lsn Lsn)[] Rows, bool Legacy) LoadForWrite(SqliteConnection connection, SqliteTransaction? tx, WriteCheckpointKey key)
    {
        var rows = Query(connection, tx, "SELECT id, lsn FROM write_checkpoint_ids WHERE user_id = $u AND client_id = $c ORDER BY id DESC LIMIT 2",
            ("$u", key.UserId), ("$c", key.ClientId));
        if (rows.Length > 0) return (rows, false);
        return (Query(connection, tx, "SELECT id, lsn FROM write_checkpoints WHERE key = $k ORDER BY id DESC LIMIT 2", ("$k", key.LegacyText)), true);
    }

    private static (long Id, Lsn Lsn)[] Query(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, string Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var reader = cmd.ExecuteReader();
        var rows = new List<(long, Lsn)>(WriteCheckpointRows.Kept);
        while (reader.Read()) rows.Add((reader.GetInt64(0), StoredLsn.FromStored(reader.GetInt64(1))));
        return [.. rows];
    }

    private static void Insert(SqliteConnection connection, SqliteTransaction tx, WriteCheckpointKey key, long id, Lsn lsn)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO write_checkpoint_ids (user_id, client_id, id, lsn) VALUES ($u, $c, $id, $lsn)";
        cmd.Parameters.AddWithValue("$u", key.UserId);
        cmd.Parameters.AddWithValue("$c", key.ClientId);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$lsn", StoredLsn.ToStored(lsn));
        cmd.ExecuteNonQuery();
    }

    private static void Prune(SqliteConnection connection, SqliteTransaction tx, WriteCheckpointKey key)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            DELETE FROM write_checkpoint_ids WHERE user_id = $u AND client_id = $c AND id < (
                SELECT min(id) FROM (SELECT id FROM write_checkpoint_ids WHERE user_id = $u AND client_id = $c ORDER BY id DESC LIMIT 2))
            """;
        cmd.Parameters.AddWithValue("$u", key.UserId);
        cmd.Parameters.AddWithValue("$c", key.ClientId);
        cmd.ExecuteNonQuery();
    }
}
