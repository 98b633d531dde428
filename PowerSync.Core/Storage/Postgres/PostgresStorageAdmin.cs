using System.Security.Cryptography;
using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>Sync-rules versions: deploy, look up, open writers (under a lease), remove replaced versions, reset.</summary>
internal sealed class PostgresStorageAdmin(PostgresBucketStorage storage) : IBucketStorageAdmin, IAsyncDisposable
{
    private readonly WriterRegistry _writers = new();
    private readonly string _s = storage.Schema;
    private readonly SemaphoreSlim _removing = new(1, 1);

    public async Task<SyncRulesVersion> DeployAsync(string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return await InTransactionAsync(async (connection, tx) =>
        {
            var newest = (await QueryAsync(connection, tx, "state IN (1, 2) ORDER BY id DESC LIMIT 1", cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            return newest is not null && newest.Content == content ? newest : await InsertAsync(connection, tx, content, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncRulesVersion> ReplaceAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return await InTransactionAsync(async (connection, tx) =>
        {
            var newer = (await QueryAsync(connection, tx, $"state = 1 AND id > {version.Id} ORDER BY id DESC LIMIT 1", cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            return newer ?? await InsertAsync(connection, tx, version.Content, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction that holds the store's deploy lock, so instances deploying at the
    /// same time take turns (each sees the other's version), and commits.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(hashtext('powersync deploy ' || @p1))", cancellationToken, _s).ConfigureAwait(false);
        var result = await work(connection, tx).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A new processing version (superseding one still processing) with its own slot name.</summary>
    private async Task<SyncRulesVersion> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string content, CancellationToken cancellationToken)
    {
        // A version still processing is superseded by the new one before it ever served.
        await ExecuteAsync(connection, tx, $"UPDATE {_s}.sync_rules SET state = 3 WHERE state = 1", cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand($"""
            INSERT INTO {_s}.sync_rules (content, state, slot_name) VALUES ($1, 1, '') RETURNING id
            """, connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = content });
        var id = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var slot = $"powersync_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        await ExecuteAsync(connection, tx, $"UPDATE {_s}.sync_rules SET slot_name = @p1 WHERE id = @p2", cancellationToken, slot, id).ConfigureAwait(false);
        return new SyncRulesVersion(id, content, SyncRulesState.Processing, slot);
    }

    public async Task<IReadOnlyList<SyncRulesVersion>> GetRetiredAsync(CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, null,
            $"state IN ({(int)SyncRulesState.Stopped}, {(int)SyncRulesState.Terminated}) AND slot_name <> '' ORDER BY id", cancellationToken).ConfigureAwait(false);
    }

    public async Task ForgetSlotAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            $"UPDATE {_s}.sync_rules SET slot_name = '' WHERE id = @p1 AND state IN ({(int)SyncRulesState.Stopped}, {(int)SyncRulesState.Terminated})",
            cancellationToken, version.Id).ConfigureAwait(false);
    }

    public Task<SyncRulesVersion?> GetActiveAsync(CancellationToken cancellationToken) => FindAsync(SyncRulesState.Active, cancellationToken);

    public Task<SyncRulesVersion?> GetProcessingAsync(CancellationToken cancellationToken) => FindAsync(SyncRulesState.Processing, cancellationToken);

    public async Task<IReadOnlyList<(SyncRulesVersion Version, VersionState State)>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand($"""
            SELECT id, content, state, slot_name, state, snapshot_done, no_checkpoint_before, resume_lsn, checkpoint_op, checkpoint_lsn, last_op
            FROM {_s}.sync_rules ORDER BY id
            """, connection);
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<(SyncRulesVersion, VersionState)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add((ReadVersion(reader), PostgresVersionState.Read(reader, reader.GetInt64(0), first: 4)));
        return list;
    }

    private async Task<SyncRulesVersion?> FindAsync(SyncRulesState state, CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await QueryAsync(connection, null, $"state = {(int)state} ORDER BY id DESC LIMIT 1", cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IBucketStorageWriter> OpenWriterAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        // One writer per version in this process (the registry, checked first), and across instances (the lease the writer acquires).
        return await _writers.OpenAsync(version, async () =>
            (IBucketStorageWriter)await PostgresStorageWriter.OpenAsync(storage, version, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    internal void WriterClosed(long versionId) => _writers.Closed(versionId);

    public Task RemoveStoppedVersionsAsync(CancellationToken cancellationToken) => RemoveStoppedAsync(cancellationToken);

    /// <summary>After an activation, on the writer's commit path (as the embedded stores do): the replaced version's data goes.</summary>
    internal void RemoveStoppedVersions() => RemoveStoppedAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async Task RemoveStoppedAsync(CancellationToken cancellationToken)
    {
        await _removing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<SyncRulesVersion> stopped;
            using (var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
                stopped = await QueryAsync(connection, null, $"state = {(int)SyncRulesState.Stopped}", cancellationToken).ConfigureAwait(false);
            foreach (var version in stopped)
            {
                // Bounded transactions: a bucket at a time, then lookups and rows in chunks.
                while (await DeleteChunkAsync($"""
                    WITH b AS (SELECT id FROM {_s}.buckets WHERE rules_id = $1 LIMIT 1),
                         d AS (DELETE FROM {_s}.bucket_data WHERE bucket_id IN (SELECT id FROM b))
                    DELETE FROM {_s}.buckets WHERE id IN (SELECT id FROM b)
                    """, version.Id, cancellationToken).ConfigureAwait(false)) { }
                while (await DeleteChunkAsync($"""
                    DELETE FROM {_s}.current_data WHERE ctid IN (SELECT ctid FROM {_s}.current_data WHERE rules_id = $1 LIMIT 10000)
                    """, version.Id, cancellationToken).ConfigureAwait(false)) { }
                while (await DeleteChunkAsync($"""
                    DELETE FROM {_s}.parameter_data WHERE ctid IN (SELECT ctid FROM {_s}.parameter_data WHERE rules_id = $1 LIMIT 10000)
                    """, version.Id, cancellationToken).ConfigureAwait(false)) { }
                using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, null, $"""
                    DELETE FROM {_s}.snapshot_progress WHERE rules_id = @p1;
                    DELETE FROM {_s}.source_relations WHERE rules_id = @p1;
                    DELETE FROM {_s}.replication_leases WHERE rules_id = @p1;
                    UPDATE {_s}.sync_rules SET state = {(int)SyncRulesState.Terminated} WHERE id = @p1 AND state = {(int)SyncRulesState.Stopped};
                    """, cancellationToken, version.Id).ConfigureAwait(false);
            }
        }
        finally
        {
            _removing.Release();
        }
    }

    private async Task<bool> DeleteChunkAsync(string sql, long versionId, CancellationToken cancellationToken)
    {
        using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = versionId });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await InTransactionAsync(async (connection, tx) =>
        {
            await ExecuteAsync(connection, tx, $"""
                TRUNCATE {_s}.bucket_data, {_s}.buckets, {_s}.current_data, {_s}.parameter_data, {_s}.snapshot_progress,
                    {_s}.source_relations, {_s}.write_checkpoints, {_s}.write_checkpoint_ids, {_s}.sync_rules, {_s}.replication_leases;
                SELECT pg_notify(@p1, @p2);
                """, cancellationToken, PostgresSchema.Channel(_s), PostgresNotification.Reset()).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        storage.OnReset();
    }

    private async Task<List<SyncRulesVersion>> QueryAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string where, CancellationToken cancellationToken)
    {
        using var cmd = new NpgsqlCommand($"SELECT id, content, state, slot_name FROM {_s}.sync_rules WHERE " + where, connection, tx);
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<SyncRulesVersion>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(ReadVersion(reader));
        return list;
    }

    private static SyncRulesVersion ReadVersion(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), (SyncRulesState)reader.GetInt32(2), reader.GetString(3));

    /// <summary>Runs <paramref name="sql"/> (one or more statements) with its parameters named <c>@p1</c>, <c>@p2</c>, ….</summary>
    internal static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        using var cmd = new NpgsqlCommand(sql, connection, tx);
        for (var i = 0; i < parameters.Length; i++) cmd.Parameters.AddWithValue("p" + (i + 1), parameters[i]);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _removing.Dispose();
        return ValueTask.CompletedTask;
    }
}
