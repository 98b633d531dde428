using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Sync-rules versions: deploy, look up, open writers, remove replaced versions, reset.</summary>
internal sealed class SqliteStorageAdmin(SqliteBucketStorage storage) : IBucketStorageAdmin
{
    private readonly WriterRegistry _writers = new();

    public Task<SyncRulesVersion> DeployAsync(string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var newest = Query(connection, tx, "state IN (1, 2) ORDER BY id DESC LIMIT 1").FirstOrDefault();
        if (newest is not null && newest.Content == content)
            return Task.FromResult(newest);
        return Task.FromResult(Insert(connection, tx, content));
    }

    public Task<SyncRulesVersion> ReplaceAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        var newer = Query(connection, tx, $"state = 1 AND id > {version.Id} ORDER BY id DESC LIMIT 1").FirstOrDefault();
        if (newer is not null) return Task.FromResult(newer);
        return Task.FromResult(Insert(connection, tx, version.Content));
    }

    public Task<IReadOnlyList<SyncRulesVersion>> GetRetiredAsync(CancellationToken cancellationToken)
    {
        using var connection = storage.OpenReadConnection();
        return Task.FromResult<IReadOnlyList<SyncRulesVersion>>(
            Query(connection, null, $"state IN ({(int)SyncRulesState.Stopped}, {(int)SyncRulesState.Terminated}) AND slot_name <> '' ORDER BY id"));
    }

    public Task ForgetSlotAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        using var connection = storage.OpenWriteConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"UPDATE sync_rules SET slot_name = '' WHERE id = $id AND state IN ({(int)SyncRulesState.Stopped}, {(int)SyncRulesState.Terminated})";
        cmd.Parameters.AddWithValue("$id", version.Id);
        cmd.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    /// <summary>A new processing version (superseding one still processing) with its own slot name, committed.</summary>
    private static SyncRulesVersion Insert(SqliteConnection connection, SqliteTransaction tx, string content)
    {

        // A version still processing is superseded by the new one before it ever served.
        Execute(connection, tx, "UPDATE sync_rules SET state = 3 WHERE state = 1");
        long id;
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO sync_rules (content, state, slot_name) VALUES ($c, 1, '') RETURNING id";
            cmd.Parameters.AddWithValue("$c", content);
            id = (long)cmd.ExecuteScalar()!;
        }
        var slot = $"powersync_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE sync_rules SET slot_name = $s WHERE id = $id";
            cmd.Parameters.AddWithValue("$s", slot);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return new SyncRulesVersion(id, content, SyncRulesState.Processing, slot);
    }

    public Task<SyncRulesVersion?> GetActiveAsync(CancellationToken cancellationToken) => Task.FromResult(Find(SyncRulesState.Active));

    public Task<SyncRulesVersion?> GetProcessingAsync(CancellationToken cancellationToken) => Task.FromResult(Find(SyncRulesState.Processing));

    public Task<IReadOnlyList<(SyncRulesVersion Version, VersionState State)>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        using var connection = storage.OpenReadConnection();
        using var tx = connection.BeginTransaction(deferred: true);
        var versions = Query(connection, tx, "1 = 1 ORDER BY id");
        return Task.FromResult<IReadOnlyList<(SyncRulesVersion, VersionState)>>(
            [.. versions.Select(v => (v, SqliteVersionState.Load(connection, v.Id, tx)))]);
    }

    private SyncRulesVersion? Find(SyncRulesState state)
    {
        using var connection = storage.OpenReadConnection();
        return Query(connection, null, $"state = {(int)state} ORDER BY id DESC LIMIT 1").FirstOrDefault();
    }

    public Task<IBucketStorageWriter> OpenWriterAsync(SyncRulesVersion version, CancellationToken cancellationToken) =>
        _writers.OpenAsync(version, () => SqliteStorageWriter.Open(storage, version!));

    internal void WriterClosed(long versionId) => _writers.Closed(versionId);

    public Task RemoveStoppedVersionsAsync(CancellationToken cancellationToken)
    {
        RemoveStoppedVersions(cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Synchronous body (SQLite calls are synchronous); also run right after an activation.</summary>
    internal void RemoveStoppedVersions(CancellationToken cancellationToken)
    {
        List<SyncRulesVersion> stopped;
        using (var connection = storage.OpenReadConnection())
            stopped = Query(connection, null, $"state = {(int)SyncRulesState.Stopped}");
        foreach (var version in stopped)
        {
            // Bounded transactions: a bucket at a time, then lookups and rows in chunks.
            while (DeleteChunk("""
                DELETE FROM bucket_data WHERE bucket_id = (SELECT id FROM buckets WHERE rules_id = $r LIMIT 1);
                DELETE FROM buckets WHERE id = (SELECT id FROM buckets WHERE rules_id = $r LIMIT 1);
                """, version.Id))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            while (DeleteChunk("""
                DELETE FROM current_data WHERE rules_id = $r AND (source_table, source_key) IN
                    (SELECT source_table, source_key FROM current_data WHERE rules_id = $r LIMIT 10000)
                """, version.Id))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            while (DeleteChunk("""
                DELETE FROM parameter_data WHERE rules_id = $r AND (lookup, source_table, source_key, op_id) IN
                    (SELECT lookup, source_table, source_key, op_id FROM parameter_data WHERE rules_id = $r LIMIT 10000)
                """, version.Id))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            using var connection = storage.OpenWriteConnection();
            Execute(connection, null, $"DELETE FROM snapshot_progress WHERE rules_id = {version.Id}; DELETE FROM source_relations WHERE rules_id = {version.Id}; UPDATE sync_rules SET state = {(int)SyncRulesState.Terminated} WHERE id = {version.Id}");
        }
    }

    private bool DeleteChunk(string sql, long versionId)
    {
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$r", versionId);
        var changed = cmd.ExecuteNonQuery();
        tx.Commit();
        return changed > 0;
    }

    public Task ResetAsync(CancellationToken cancellationToken)
    {
        using var connection = storage.OpenWriteConnection();
        using var tx = connection.BeginTransaction(deferred: false);
        Execute(connection, tx, """
            DELETE FROM bucket_data; DELETE FROM buckets; DELETE FROM current_data; DELETE FROM parameter_data;
            DELETE FROM snapshot_progress; DELETE FROM source_relations; DELETE FROM write_checkpoints; DELETE FROM write_checkpoint_ids; DELETE FROM sync_rules;
            """);
        tx.Commit();
        storage.Checksums.InvalidateAll();
        storage.ForgetWriteCheckpoints();
        storage.Broadcast.Reset();
        return Task.CompletedTask;
    }

    private static List<SyncRulesVersion> Query(SqliteConnection connection, SqliteTransaction? tx, string where)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT id, content, state, slot_name FROM sync_rules WHERE " + where;
        using var reader = cmd.ExecuteReader();
        var list = new List<SyncRulesVersion>();
        while (reader.Read())
            list.Add(new SyncRulesVersion(reader.GetInt64(0), reader.GetString(1), (SyncRulesState)reader.GetInt32(2), reader.GetString(3)));
        return list;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql) =>
        SqliteSchema.Execute(connection, sql, tx);
}
