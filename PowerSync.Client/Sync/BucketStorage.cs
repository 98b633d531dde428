using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PowerSync.Client.Status;
using PowerSync.Client.Storage;
using PowerSync.Client.Tables;

namespace PowerSync.Client.Sync;

/// <summary>The outcome of applying a checkpoint.</summary>
internal enum SyncLocalOutcome
{
    Applied,
    /// <summary>Validated but held back: local writes are pending or the write checkpoint was not reached.</summary>
    Pending,
    ChecksumFailed,
}

/// <summary>
/// The local op log per bucket (<c>ps_buckets</c>, <c>ps_oplog</c>) and applying validated checkpoints to
/// the data tables, following the official core's semantics (see powersync-client-notes §2.3-2.4).
/// </summary>
internal sealed class BucketStorage(ConnectionPool pool, Func<Schema> schema)
{
    private const string InScope = "name IN (SELECT value FROM json_each(@names))";

    public Task<string> GetClientIdAsync(CancellationToken cancellationToken) =>
        pool.ReadAsync(db => db.GetAsync<string>("SELECT CAST(value AS TEXT) FROM ps_kv WHERE key = 'client_id'", null, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<(string Name, long After)>> GetBucketPositionsAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<BucketPosition>(
            "SELECT name, last_op FROM ps_buckets WHERE pending_delete = 0 AND name != '$local' ORDER BY name", null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (r.Name, r.LastOp)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, (long AtLast, long SinceLast)>> GetProgressCountsAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<BucketCounts>(
            "SELECT name, count_at_last, count_since_last FROM ps_buckets WHERE name != '$local'", null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Name, r => (r.CountAtLast, r.CountSinceLast), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<SyncPriorityStatus>> LoadPriorityStatusAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<SyncStateRow>(
            "SELECT priority, last_synced_at FROM ps_sync_state ORDER BY priority", null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new SyncPriorityStatus((int)r.Priority,
            DateTimeOffset.TryParse(r.LastSyncedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null, true)).ToList();
    }

    /// <summary>Deletes buckets: their rows are queued for re-evaluation and their ops dropped.</summary>
    public Task RemoveBucketsAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        names.Count == 0 ? Task.CompletedTask : pool.WriteAsync(db => RemoveBucketsAsync(db, names, cancellationToken), cancellationToken);

    /// <summary>Deletes local buckets that are not in <paramref name="keep"/>.</summary>
    public Task RemoveBucketsExceptAsync(IEnumerable<string> keep, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        var existing = await db.GetAllAsync<string>("SELECT name FROM ps_buckets WHERE name != '$local'", null, cancellationToken).ConfigureAwait(false);
        var keepSet = keep.ToHashSet(StringComparer.Ordinal);
        return await RemoveBucketsAsync(db, existing.Where(n => !keepSet.Contains(n)).ToList(), cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    private static async Task<bool> RemoveBucketsAsync(SqlContext db, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0) return false;
        var json = JsonSerializer.Serialize(names);
        await db.ExecuteAsync("INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT row_type, row_id FROM ps_oplog WHERE bucket IN (SELECT id FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)))", [json], cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM ps_oplog WHERE bucket IN (SELECT id FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)))", [json], cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)) AND name != '$local'", [json], cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Saves data lines' ops in one transaction (PUT/REMOVE supersede by key, MOVE, CLEAR).</summary>
    public Task SaveAsync(IReadOnlyList<DataLine> lines, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        foreach (var line in lines) await SaveLineAsync(db, line, cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    private static async Task<bool> SaveLineAsync(SqlContext db, DataLine line, CancellationToken cancellationToken)
    {
        var connection = db.Connection;
        await db.ExecuteAsync("INSERT INTO ps_buckets(name) VALUES(?) ON CONFLICT(name) DO NOTHING", [line.Bucket], cancellationToken).ConfigureAwait(false);
        var bucket = await db.GetAsync<BucketState>("SELECT id, add_checksum, op_checksum FROM ps_buckets WHERE name = ?", [line.Bucket], cancellationToken).ConfigureAwait(false);
        long add = bucket.AddChecksum, op = bucket.OpChecksum;
        var cleared = false;
        if (line.Data.All(e => e.Op != OpKind.Clear))
        {
            (add, op) = await SaveWithoutClearAsync(db, bucket.Id, line, add, op, cancellationToken).ConfigureAwait(false);
            await FinishLineAsync(db, line, bucket.Id, add, op, false, cancellationToken).ConfigureAwait(false);
            return true;
        }

        using var supersede = Prepare(connection, "DELETE FROM ps_oplog WHERE bucket = @b AND key = @k RETURNING hash", "@b", "@k");
        using var insert = Prepare(connection, "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES(@b, @op, @t, @i, @k, @d, @h)", "@b", "@op", "@t", "@i", "@k", "@d", "@h");
        using var updated = Prepare(connection, "INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES(@t, @i)", "@t", "@i");
        supersede.Parameters["@b"].Value = bucket.Id;
        insert.Parameters["@b"].Value = bucket.Id;
        foreach (var entry in line.Data)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (entry.Op)
            {
                case OpKind.Put or OpKind.Remove:
                {
                    var key = $"{entry.ObjectType}/{entry.ObjectId}/{entry.Subkey ?? "null"}";
                    supersede.Parameters["@k"].Value = key;
                    using (var reader = supersede.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            var hash = reader.GetInt64(0);
                            add += hash;
                            op -= hash;
                        }
                    }

                    if (entry.Op == OpKind.Put)
                    {
                        insert.Parameters["@op"].Value = entry.OpId;
                        insert.Parameters["@t"].Value = (object?)entry.ObjectType ?? DBNull.Value;
                        insert.Parameters["@i"].Value = (object?)entry.ObjectId ?? DBNull.Value;
                        insert.Parameters["@k"].Value = key;
                        insert.Parameters["@d"].Value = (object?)entry.Data ?? DBNull.Value;
                        insert.Parameters["@h"].Value = (long)entry.Checksum;
                        insert.ExecuteNonQuery();
                        op += entry.Checksum;
                    }
                    else
                    {
                        // Always re-evaluate a removed row (the official core skips this for "empty" buckets: sqlite-core#45).
                        add += entry.Checksum;
                        updated.Parameters["@t"].Value = (object?)entry.ObjectType ?? DBNull.Value;
                        updated.Parameters["@i"].Value = (object?)entry.ObjectId ?? DBNull.Value;
                        updated.ExecuteNonQuery();
                    }

                    break;
                }

                case OpKind.Move:
                    add += entry.Checksum;
                    break;
                case OpKind.Clear:
                    await db.ExecuteAsync("INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT row_type, row_id FROM ps_oplog WHERE bucket = ?", [bucket.Id], cancellationToken).ConfigureAwait(false);
                    await db.ExecuteAsync("DELETE FROM ps_oplog WHERE bucket = ?", [bucket.Id], cancellationToken).ConfigureAwait(false);
                    add = entry.Checksum;
                    op = 0;
                    cleared = true;
                    break;
            }
        }

        await FinishLineAsync(db, line, bucket.Id, add, op, cleared, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task FinishLineAsync(SqlContext db, DataLine line, long bucketId, long add, long op, bool cleared, CancellationToken cancellationToken)
    {
        var lastOp = line.Data.Count > 0 ? line.Data[^1].OpId : (long?)null;
        await db.ExecuteAsync(
            "UPDATE ps_buckets SET last_op = coalesce(?, last_op), add_checksum = ?, op_checksum = ?, last_applied_op = CASE WHEN ? THEN 0 ELSE last_applied_op END, count_since_last = count_since_last + ?, downloaded_size = downloaded_size + ? WHERE id = ?",
            [lastOp, add & 0xffffffffL, op & 0xffffffffL, cleared, line.Data.Count, line.Size, bucketId], cancellationToken).ConfigureAwait(false);
    }

    private static string Key(OplogEntry entry) => $"{entry.ObjectType}/{entry.ObjectId}/{entry.Subkey ?? "null"}";

    /// <summary>
    /// A line without CLEAR, with few round trips: existing ops of the line's keys are looked up and
    /// deleted in one statement each, supersession inside the line is resolved in memory, and the
    /// surviving PUTs are inserted 100 rows per statement. Same bookkeeping as op-by-op: live PUTs
    /// count in <c>op_checksum</c>, superseded ops, MOVEs and REMOVEs in <c>add_checksum</c>.
    /// </summary>
    private static async Task<(long Add, long Op)> SaveWithoutClearAsync(SqlContext db, long bucketId, DataLine line, long add, long op, CancellationToken cancellationToken)
    {
        var keys = line.Data.Where(e => e.Op is OpKind.Put or OpKind.Remove).Select(Key).Distinct().ToList();
        var existing = (await db.GetAllAsync<KeyHash>("SELECT key, hash FROM ps_oplog WHERE bucket = ? AND key IN (SELECT value FROM json_each(?))",
            [bucketId, JsonSerializer.Serialize(keys)], cancellationToken).ConfigureAwait(false)).ToDictionary(k => k.Key, k => k.Hash, StringComparer.Ordinal);
        var toDelete = new List<string>();
        var live = new Dictionary<string, OplogEntry>(StringComparer.Ordinal);
        var removed = new List<string?[]>();
        foreach (var entry in line.Data)
        {
            if (entry.Op == OpKind.Move)
            {
                add += entry.Checksum;
                continue;
            }

            var key = Key(entry);
            if (existing.Remove(key, out var hash))
            {
                add += hash;
                op -= hash;
                toDelete.Add(key);
            }
            else if (live.Remove(key, out var earlier))
            {
                add += earlier.Checksum;
                op -= earlier.Checksum;
            }

            if (entry.Op == OpKind.Put)
            {
                live[key] = entry;
                op += entry.Checksum;
            }
            else
            {
                add += entry.Checksum;
                removed.Add([entry.ObjectType, entry.ObjectId]);
            }
        }

        if (toDelete.Count > 0)
            await db.ExecuteAsync("DELETE FROM ps_oplog WHERE bucket = ? AND key IN (SELECT value FROM json_each(?))", [bucketId, JsonSerializer.Serialize(toDelete)], cancellationToken).ConfigureAwait(false);
        // Always re-evaluate a removed row (the official core skips this for "empty" buckets: sqlite-core#45).
        if (removed.Count > 0)
            await db.ExecuteAsync("INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT value ->> 0, value ->> 1 FROM json_each(?)", [JsonSerializer.Serialize(removed)], cancellationToken).ConfigureAwait(false);
        if (live.Count > 0)
        {
            using var insert = Prepare(db.Connection, "INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES(@b, @o, @t, @i, @k, @d, @h)", "@b", "@o", "@t", "@i", "@k", "@d", "@h");
            var p = insert.Parameters;
            p[0].Value = bucketId;
            foreach (var (key, e) in live)
            {
                p[1].Value = e.OpId;
                p[2].Value = (object?)e.ObjectType ?? DBNull.Value;
                p[3].Value = (object?)e.ObjectId ?? DBNull.Value;
                p[4].Value = key;
                p[5].Value = (object?)e.Data ?? DBNull.Value;
                p[6].Value = (long)e.Checksum;
                insert.ExecuteNonQuery();
            }
        }

        return (add, op);
    }

    /// <summary>
    /// Validates the checksums of the buckets in scope (all, or those with priority number &lt;= <paramref name="priority"/>)
    /// and, when allowed, applies them atomically. Mismatching buckets are deleted (downloaded again on reconnect).
    /// </summary>
    public Task<(SyncLocalOutcome Outcome, IReadOnlyList<string> Failed)> SyncLocalAsync(SyncCheckpoint checkpoint, int? priority, CancellationToken cancellationToken) =>
        pool.WriteAsync(async db =>
        {
            var scope = checkpoint.Buckets.Values.Where(b => priority is null || b.Priority <= priority).ToList();
            var names = JsonSerializer.Serialize(scope.Select(b => b.Bucket));
            var actual = (await db.GetAllAsync<BucketSums>("SELECT name, add_checksum, op_checksum FROM ps_buckets WHERE name != '$local'", null, cancellationToken).ConfigureAwait(false))
                .ToDictionary(b => b.Name, b => (uint)((b.AddChecksum + b.OpChecksum) & 0xffffffffL), StringComparer.Ordinal);
            var failed = scope.Where(b => (actual.TryGetValue(b.Bucket, out var sum) ? sum : 0u) != b.Checksum).Select(b => b.Bucket).ToList();
            if (failed.Count > 0)
            {
                await RemoveBucketsAsync(db, failed, cancellationToken).ConfigureAwait(false);
                return (SyncLocalOutcome.ChecksumFailed, (IReadOnlyList<string>)failed);
            }

            await Run(db, $"UPDATE ps_buckets SET last_op = @last WHERE {InScope}", cancellationToken, ("@last", checkpoint.LastOpId), ("@names", names)).ConfigureAwait(false);
            if (priority is null && checkpoint.WriteCheckpoint is { } wc)
                await db.ExecuteAsync("UPDATE ps_buckets SET last_op = ? WHERE name = '$local'", [wc], cancellationToken).ConfigureAwait(false);
            if (priority != 0)
            {
                var blocked = await db.GetOptionalAsync<long?>(
                    "SELECT 1 FROM ps_buckets WHERE name = '$local' AND target_op > last_op UNION ALL SELECT 1 FROM (SELECT 1 FROM ps_crud LIMIT 1)", null, cancellationToken).ConfigureAwait(false);
                if (blocked is not null) return (SyncLocalOutcome.Pending, []);
            }

            await ApplyAsync(db, names, priority is null, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            if (priority is null)
            {
                var counts = JsonSerializer.Serialize(scope.ToDictionary(b => b.Bucket, b => b.Count ?? 0));
                await db.ExecuteAsync("DELETE FROM ps_updated_rows", null, cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("DELETE FROM ps_sync_state WHERE priority < ?", [InternalTables.FullSyncPriority], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_sync_state(priority, last_synced_at) VALUES(?, ?)", [InternalTables.FullSyncPriority, now], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("UPDATE ps_buckets SET count_at_last = coalesce(json_extract(?, '$.\"' || name || '\"'), count_at_last + count_since_last), count_since_last = 0 WHERE name != '$local'", [counts], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_sync_state(priority, last_synced_at) VALUES(?, ?)", [priority, now], cancellationToken).ConfigureAwait(false);
            }

            return (SyncLocalOutcome.Applied, (IReadOnlyList<string>)[]);
        }, cancellationToken);

    private async Task ApplyAsync(SqlContext db, string names, bool full, CancellationToken cancellationToken)
    {
        await db.RunAsync("CREATE TEMP TABLE IF NOT EXISTS ps_sync_rows(row_type TEXT, row_id TEXT, data TEXT, PRIMARY KEY(row_type, row_id)) WITHOUT ROWID; DELETE FROM temp.ps_sync_rows", cancellationToken).ConfigureAwait(false);
        var candidates = "SELECT o.row_type, o.row_id FROM ps_oplog o JOIN ps_buckets b ON b.id = o.bucket WHERE o.op_id > b.last_applied_op AND b." + InScope
            + (full ? " UNION SELECT row_type, row_id FROM ps_updated_rows" : "");
        await Run(db, $"INSERT OR IGNORE INTO temp.ps_sync_rows(row_type, row_id) {candidates}", cancellationToken, ("@names", names)).ConfigureAwait(false);
        await Run(db, $"""
            UPDATE temp.ps_sync_rows SET data = (SELECT o.data FROM ps_oplog o WHERE o.row_type = ps_sync_rows.row_type AND o.row_id = ps_sync_rows.row_id
              {(full ? "" : "AND o.bucket IN (SELECT id FROM ps_buckets WHERE " + InScope + ")")} ORDER BY o.op_id DESC LIMIT 1)
            """, cancellationToken, ("@names", names)).ConfigureAwait(false);
        var types = await db.GetAllAsync<string?>("SELECT DISTINCT row_type FROM temp.ps_sync_rows", null, cancellationToken).ConfigureAwait(false);
        var current = schema();
        foreach (var type in types.OfType<string>())
        {
            if (current.FindSynced(type) is { } table)
            {
                var target = ViewSql.Id(table.DataTableName);
                await db.ExecuteAsync($"INSERT OR REPLACE INTO {target}(id, data) SELECT row_id, data FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NOT NULL", [type], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync($"DELETE FROM {target} WHERE id IN (SELECT row_id FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NULL)", [type], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_untyped(type, id, data) SELECT row_type, row_id, data FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NOT NULL", [type], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("DELETE FROM ps_untyped WHERE type = ? AND id IN (SELECT row_id FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NULL)", [type, type], cancellationToken).ConfigureAwait(false);
            }
        }

        await Run(db, $"UPDATE ps_buckets SET last_applied_op = last_op WHERE {InScope}", cancellationToken, ("@names", names)).ConfigureAwait(false);
        await db.RunAsync("DELETE FROM temp.ps_sync_rows", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After the upload queue drained: when the gate waits for an unknown write checkpoint, fetch one and
    /// make it the target, unless new local writes arrived meanwhile.
    /// </summary>
    public async Task<bool> UpdateLocalTargetAsync(Func<CancellationToken, Task<long>> getWriteCheckpoint, CancellationToken cancellationToken)
    {
        var (target, seq) = await pool.ReadAsync(async db =>
        {
            var t = await db.GetOptionalAsync<long?>("SELECT target_op FROM ps_buckets WHERE name = '$local'", null, cancellationToken).ConfigureAwait(false);
            var s = await db.GetOptionalAsync<long?>("SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'", null, cancellationToken).ConfigureAwait(false);
            return (t, s ?? 0);
        }, cancellationToken).ConfigureAwait(false);
        if (target != InternalTables.MaxOpId) return false;
        var writeCheckpoint = await getWriteCheckpoint(cancellationToken).ConfigureAwait(false);
        return await pool.WriteAsync(async db =>
        {
            var result = await db.ExecuteAsync(
                "UPDATE ps_buckets SET target_op = ? WHERE name = '$local' AND NOT EXISTS (SELECT 1 FROM ps_crud) AND coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'), 0) = ?",
                [writeCheckpoint, seq], cancellationToken).ConfigureAwait(false);
            return result.RowsAffected > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes all synced state and queued writes (and local-only data when asked); keeps the client id.</summary>
    public Task ClearAsync(bool clearLocal, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        await db.RunAsync("""
            DELETE FROM ps_oplog; DELETE FROM ps_buckets; DELETE FROM ps_crud; DELETE FROM ps_untyped; DELETE FROM ps_updated_rows;
            DELETE FROM ps_sync_state; DELETE FROM ps_kv WHERE key != 'client_id';
            INSERT OR IGNORE INTO ps_buckets(name, last_op, target_op) VALUES('$local', 0, 0);
            """, cancellationToken).ConfigureAwait(false);
        var tables = await db.GetAllAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'ps_data__*'" + (clearLocal ? " OR name GLOB 'ps_data_local__*')" : ")"), null, cancellationToken).ConfigureAwait(false);
        foreach (var table in tables) await db.RunAsync($"DELETE FROM {ViewSql.Id(table)}", cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var p in parameters) command.Parameters.Add(new SqliteParameter(p, DBNull.Value));
        command.Prepare();
        return command;
    }

    private static async Task Run(SqlContext db, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        using var command = db.Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record KeyHash(string Key, long Hash);

    private sealed record SyncStateRow(long Priority, string LastSyncedAt);

    private sealed record BucketPosition(string Name, long LastOp);

    private sealed record BucketCounts(string Name, long CountAtLast, long CountSinceLast);

    private sealed record BucketState(long Id, long AddChecksum, long OpChecksum);

    private sealed record BucketSums(string Name, long AddChecksum, long OpChecksum);
}
