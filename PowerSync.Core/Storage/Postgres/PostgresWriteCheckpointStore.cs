using System.Collections.Concurrent;
using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// Write checkpoints as rows (user, client, id, lsn) shared by every instance, at most
/// <see cref="WriteCheckpointRows.Kept"/> per key, so an id obtained from one instance is honoured by all. Keys that
/// sessions read are cached here (at most <see cref="MaxCachedKeys"/>); a write on any instance notifies every
/// instance, which forgets that key, and a listener that reconnects forgets them all.
/// </summary>
internal sealed class PostgresWriteCheckpointStore(PostgresBucketStorage storage) : IWriteCheckpointStore
{
    /// <summary>Keys whose rows are kept in memory at most.</summary>
    public const int MaxCachedKeys = 20_000;

    private readonly ConcurrentDictionary<WriteCheckpointKey, (long Id, Lsn Lsn)[]> _cache = new();
    private readonly object _gate = new();
    private readonly string _s = storage.Schema;
    private long _writes;

    public Task<long> CreateAsync(WriteCheckpointKey key, Lsn headLsn, CancellationToken cancellationToken) =>
        RecordAsync(key, stored => WriteCheckpointRows.Next(stored), headLsn, cancellationToken);

    public Task<long> RequestAsync(WriteCheckpointKey key, long requestedId, Lsn headLsn, CancellationToken cancellationToken)
    {
        WriteCheckpointRows.CheckRequested(requestedId);
        return RecordAsync(key, stored => requestedId > stored ? requestedId : null, headLsn, cancellationToken);
    }

    public async Task<long?> GetAsync(WriteCheckpointKey key, Lsn checkpointLsn, CancellationToken cancellationToken)
    {
        if (!_cache.TryGetValue(key, out var rows))
        {
            var writes = Volatile.Read(ref _writes);
            using (var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
                rows = (await LoadAsync(connection, null, key, forUpdate: false, cancellationToken).ConfigureAwait(false)).Rows;
            // Cached only when no write (here or announced from elsewhere) ran meanwhile: it might not be in what was read.
            lock (_gate)
            {
                if (_writes == writes)
                {
                    if (_cache.Count >= MaxCachedKeys) _cache.Clear();
                    _cache[key] = rows;
                }
            }
        }
        return WriteCheckpointRows.At(rows, checkpointLsn);
    }

    /// <summary>Stores the id <paramref name="next"/> gives for the stored one (null: keep it); returns the id stored afterwards.</summary>
    private async Task<long> RecordAsync(WriteCheckpointKey key, Func<long, long?> next, Lsn headLsn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.UserId);
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Two instances recording for one key take turns (the key's rows may not exist yet to lock).
        await PostgresStorageAdmin.ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(hashtext(@p1), hashtext(@p2))", cancellationToken,
            key.UserId, key.ClientId).ConfigureAwait(false);
        var (rows, legacy) = await LoadAsync(connection, tx, key, forUpdate: true, cancellationToken).ConfigureAwait(false);
        var stored = rows.Length == 0 ? 0 : rows[0].Id;
        if (next(stored) is not { } id) return stored;
        // The first id of a key that only has legacy rows carries the newest of them over as its history.
        if (legacy && rows.Length > 0) await InsertAsync(connection, tx, key, rows[0].Id, rows[0].Lsn, cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, tx, key, id, headLsn, cancellationToken).ConfigureAwait(false);
        await PostgresStorageAdmin.ExecuteAsync(connection, tx, $"""
            DELETE FROM {_s}.write_checkpoint_ids WHERE user_id = @p1 AND client_id = @p2 AND id < (
                SELECT min(id) FROM (SELECT id FROM {_s}.write_checkpoint_ids WHERE user_id = @p1 AND client_id = @p2 ORDER BY id DESC LIMIT {WriteCheckpointRows.Kept}) newest);
            SELECT pg_notify(@p3, @p4);
            """, cancellationToken, key.UserId, key.ClientId, PostgresSchema.Channel(_s), PostgresNotification.WriteCheckpoint(key)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _writes++;
            if (_cache.ContainsKey(key)) _cache[key] = WriteCheckpointRows.After(rows, id, headLsn);
        }
        return id;
    }

    /// <summary>A write checkpoint of <paramref name="key"/> was recorded (on any instance): read it afresh next time.</summary>
    internal void Forget(WriteCheckpointKey key)
    {
        lock (_gate)
        {
            _writes++;
            _cache.TryRemove(key, out _);
        }
    }

    /// <summary>Forget everything (the store was reset, or notifications may have been missed).</summary>
    internal void Clear()
    {
        lock (_gate)
        {
            _writes++;
            _cache.Clear();
        }
    }

    private async Task<((long Id, Lsn Lsn)[] Rows, bool Legacy)> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, WriteCheckpointKey key,
        bool forUpdate, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, tx, $"SELECT id, lsn FROM {_s}.write_checkpoint_ids WHERE user_id = $1 AND client_id = $2 ORDER BY id DESC LIMIT 2",
            cancellationToken, key.UserId, key.ClientId).ConfigureAwait(false);
        if (rows.Length > 0) return (rows, false);
        return (await QueryAsync(connection, tx, $"SELECT id, lsn FROM {_s}.write_checkpoints WHERE key = $1 ORDER BY id DESC LIMIT 2",
            cancellationToken, key.LegacyText).ConfigureAwait(false), true);
    }

    private static async Task<(long Id, Lsn Lsn)[]> QueryAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken, params string[] parameters)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<(long, Lsn)>(WriteCheckpointRows.Kept);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add((reader.GetInt64(0), StoredLsn.FromStored(reader.GetInt64(1))));
        return [.. rows];
    }

    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, WriteCheckpointKey key, long id, Lsn lsn, CancellationToken cancellationToken) =>
        await PostgresStorageAdmin.ExecuteAsync(connection, tx, $"INSERT INTO {_s}.write_checkpoint_ids (user_id, client_id, id, lsn) VALUES (@p1, @p2, @p3, @p4)",
            cancellationToken, key.UserId, key.ClientId, id, StoredLsn.ToStored(lsn)).ConfigureAwait(false);
}
