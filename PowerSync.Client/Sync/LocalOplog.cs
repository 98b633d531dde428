using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PowerSync.Client.Status;
using PowerSync.Client.LocalDatabase;
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
internal sealed class LocalOplog(ConnectionPool pool, Func<Schema> schema, int bulkRowLimit, UntypedTables untyped)
{
    private const string InScope = "name IN (SELECT value FROM json_each(@names))";

    /// <summary>Bulk mode's state; null in indexed mode. Guarded by the write lock.</summary>
    private BulkLoad? _bulk;

    public Task<string> GetClientIdAsync(CancellationToken cancellationToken) =>
        pool.ReadAsync(db => db.GetAsync<string>("SELECT CAST(value AS TEXT) FROM ps_kv WHERE key = 'client_id'", null, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<(string Name, long After)>> GetBucketPositionsAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<BucketPosition>(
            "SELECT name, last_op FROM ps_buckets WHERE pending_delete = 0 ORDER BY name", null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (r.Name, r.LastOp)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, (long AtLast, long SinceLast)>> GetProgressCountsAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<BucketCounts>(
            "SELECT name, count_at_last, count_since_last FROM ps_buckets", null, cancellationToken), cancellationToken).ConfigureAwait(false);
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
        var existing = await db.GetAllAsync<string>("SELECT name FROM ps_buckets", null, cancellationToken).ConfigureAwait(false);
        var keepSet = keep.ToHashSet(StringComparer.Ordinal);
        return await RemoveBucketsAsync(db, existing.Where(n => !keepSet.Contains(n)).ToList(), cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    private static async Task<bool> RemoveBucketsAsync(SqlContext db, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0) return false;
        var json = JsonSerializer.Serialize(names);
        await db.ExecuteAsync("INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT row_type, row_id FROM ps_oplog WHERE bucket IN (SELECT id FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)))", [json], cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM ps_oplog WHERE bucket IN (SELECT id FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)))", [json], cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM ps_oplog_pending WHERE bucket IN (SELECT id FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?)))", [json], cancellationToken).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM ps_buckets WHERE name IN (SELECT value FROM json_each(?))", [json], cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Saves data lines' ops in one transaction. A download into an empty op log runs in bulk mode: the op
    /// log's indexes are dropped, and rebuilt in one pass when first needed (see <see cref="OplogWriter"/>).
    /// </summary>
    public Task SaveAsync(IReadOnlyList<DataLine> lines, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        // Every row of the op log: no update hook call per op; the tables a save writes are reported as changed at commit.
        using var _ = pool.ReportChangesAs(SaveTables);
        var indexed = await db.ScalarAsync("SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ps_oplog_row')", cancellationToken).ConfigureAwait(false) is 1L;
        if (!indexed && _bulk is null)
        {
            await EnsureIndexedAsync(db, cancellationToken).ConfigureAwait(false);
            indexed = true;
        }

        if (indexed)
        {
            if (await db.ScalarAsync("SELECT EXISTS(SELECT 1 FROM ps_oplog)", cancellationToken).ConfigureAwait(false) is 0L)
            {
                await db.RunAsync("DROP INDEX ps_oplog_row; DROP INDEX IF EXISTS ps_oplog_opid; DELETE FROM ps_oplog_pending", cancellationToken).ConfigureAwait(false);
                _bulk = new BulkLoad();
            }
            else
            {
                await EnsureIndexedAsync(db, cancellationToken).ConfigureAwait(false);
            }
        }

        var writer = new OplogWriter(db.Connection.Handle!, _bulk);
        try
        {
            foreach (var line in lines)
            {
                if (_bulk is { } bulk && bulk.Rows.Count >= bulkRowLimit)
                {
                    // Its row set would grow with the download: leave bulk mode, indexes built, and go on op by op.
                    writer.Dispose();
                    await EnsureIndexedAsync(db, cancellationToken).ConfigureAwait(false);
                    writer = new OplogWriter(db.Connection.Handle!, null);
                }

                await db.ExecuteAsync("INSERT INTO ps_buckets(name) VALUES(?) ON CONFLICT(name) DO NOTHING", [line.Bucket], cancellationToken).ConfigureAwait(false);
                var bucket = await db.GetAsync<BucketState>("SELECT id, add_checksum, op_checksum FROM ps_buckets WHERE name = ?", [line.Bucket], cancellationToken).ConfigureAwait(false);
                var (add, op, cleared) = writer.Save(bucket.Id, line, bucket.AddChecksum, bucket.OpChecksum, cancellationToken);
                var lastOp = line.Data.Count > 0 ? line.Data[^1].OpId : (long?)null;
                await db.ExecuteAsync(
                    "UPDATE ps_buckets SET last_op = coalesce(?, last_op), add_checksum = ?, op_checksum = ?, last_applied_op = CASE WHEN ? THEN 0 ELSE last_applied_op END, count_since_last = count_since_last + ?, downloaded_size = downloaded_size + ? WHERE id = ?",
                    [lastOp, add & 0xffffffffL, op & 0xffffffffL, cleared, line.Data.Count, line.Size, bucket.Id], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            writer.Dispose();
        }

        // A bulk download's op log pages are checkpointed once it is applied, not while it competes for the CPU and the disk.
        if (_bulk is not null) pool.DeferCheckpoint();
        return true;
    }, cancellationToken);

    private static readonly string[] SaveTables = ["ps_buckets", "ps_oplog", "ps_oplog_pending", "ps_updated_rows"];

    /// <summary>
    /// Leaves bulk mode: rebuilds the op log's indexes (a no-op when they exist) and deletes the ops
    /// superseded by <c>ps_oplog_pending</c> rows, also those a crash left behind.
    /// </summary>
    private async Task EnsureIndexedAsync(SqlContext db, CancellationToken cancellationToken)
    {
        if (_bulk is not null) await db.RunAsync(InternalTables.OplogIndexesSql, cancellationToken).ConfigureAwait(false);
        _bulk = null;
        if (await db.ScalarAsync("SELECT EXISTS(SELECT 1 FROM ps_oplog_pending)", cancellationToken).ConfigureAwait(false) is 1L)
            await db.RunAsync(OplogWriter.ResolvePendingSql, cancellationToken).ConfigureAwait(false);
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
            var actual = (await db.GetAllAsync<BucketSums>("SELECT name, add_checksum, op_checksum FROM ps_buckets", null, cancellationToken).ConfigureAwait(false))
                .ToDictionary(b => b.Name, b => (uint)((b.AddChecksum + b.OpChecksum) & 0xffffffffL), StringComparer.Ordinal);
            var failed = scope.Where(b => (actual.TryGetValue(b.Bucket, out var sum) ? sum : 0u) != b.Checksum).Select(b => b.Bucket).ToList();
            if (failed.Count > 0)
            {
                await RemoveBucketsAsync(db, failed, cancellationToken).ConfigureAwait(false);
                return (SyncLocalOutcome.ChecksumFailed, (IReadOnlyList<string>)failed);
            }

            await Run(db, $"UPDATE ps_buckets SET last_op = @last WHERE {InScope}", cancellationToken, ("@last", checkpoint.LastOpId), ("@names", names)).ConfigureAwait(false);
            if (priority is null && checkpoint.WriteCheckpoint is { } wc)
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) VALUES(?, ?)", [CheckpointKeys.LastSeen, wc], cancellationToken).ConfigureAwait(false);
            if (priority != 0)
            {
                var blocked = await db.GetOptionalAsync<long?>(
                    CheckpointKeys.GateClosedSql + " UNION ALL SELECT 1 FROM (SELECT 1 FROM ps_crud LIMIT 1)", null, cancellationToken).ConfigureAwait(false);
                if (blocked is not null) return (SyncLocalOutcome.Pending, []);
            }

            var fresh = priority is null && await db.ScalarAsync("SELECT NOT EXISTS(SELECT 1 FROM ps_buckets WHERE last_applied_op > 0)", cancellationToken).ConfigureAwait(false) is 1L;
            if (fresh && _bulk is { RowsUnique: true } bulk
                && await db.ScalarAsync("SELECT NOT EXISTS(SELECT 1 FROM ps_updated_rows) AND NOT EXISTS(SELECT 1 FROM ps_oplog_pending)", cancellationToken).ConfigureAwait(false) is 1L)
            {
                // Each op is its row's winner: copy them as stored; the indexes wait for the next save or apply.
                await ApplyEachOnceAsync(db, bulk, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await EnsureIndexedAsync(db, cancellationToken).ConfigureAwait(false);
                if (fresh) await ApplyAllAsync(db, cancellationToken).ConfigureAwait(false);
                else await ApplyAsync(db, names, priority is null, cancellationToken).ConfigureAwait(false);
            }

            await Run(db, $"UPDATE ps_buckets SET last_applied_op = last_op WHERE {InScope}", cancellationToken, ("@names", names)).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            if (priority is null)
            {
                var counts = JsonSerializer.Serialize(scope.ToDictionary(b => b.Bucket, b => b.Count ?? 0));
                await db.ExecuteAsync("DELETE FROM ps_updated_rows", null, cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("DELETE FROM ps_sync_state WHERE priority < ?", [InternalTables.FullSyncPriority], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_sync_state(priority, last_synced_at) VALUES(?, ?)", [InternalTables.FullSyncPriority, now], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("UPDATE ps_buckets SET count_at_last = coalesce(json_extract(?, '$.\"' || name || '\"'), count_at_last + count_since_last), count_since_last = 0", [counts], cancellationToken).ConfigureAwait(false);
                if (checkpoint.WriteCheckpoint is { } applied)
                    await db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) VALUES(?, ?)", [CheckpointKeys.LastApplied, applied], cancellationToken).ConfigureAwait(false);
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
                untyped.Stored(type);
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_untyped(type, id, data) SELECT row_type, row_id, data FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NOT NULL", [type], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("DELETE FROM ps_untyped WHERE type = ? AND id IN (SELECT row_id FROM temp.ps_sync_rows WHERE row_type = ? AND data IS NULL)", [type, type], cancellationToken).ConfigureAwait(false);
            }
        }

        await db.RunAsync("DELETE FROM temp.ps_sync_rows", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A full apply when no op was applied yet (initial sync, or after a clear): every row with ops gets its
    /// winner in one ordered pass per type instead of a lookup per candidate; queued rows without a
    /// winner's data are deleted.
    /// </summary>
    private async Task ApplyAllAsync(SqlContext db, CancellationToken cancellationToken)
    {
        var types = await db.GetAllAsync<string>("""
            WITH RECURSIVE t(x) AS (SELECT min(row_type) FROM ps_oplog UNION ALL SELECT (SELECT min(row_type) FROM ps_oplog WHERE row_type > x) FROM t WHERE x IS NOT NULL)
            SELECT x FROM t WHERE x IS NOT NULL UNION SELECT row_type FROM ps_updated_rows WHERE row_type IS NOT NULL
            """, null, cancellationToken).ConfigureAwait(false);
        const string Winners = "SELECT row_id, data FROM (SELECT row_id, data, max(op_id) FROM ps_oplog WHERE row_type = ? GROUP BY row_id) WHERE data IS NOT NULL";
        const string Gone = "SELECT u.row_id FROM ps_updated_rows u WHERE u.row_type = ? AND (SELECT o.data FROM ps_oplog o WHERE o.row_type = u.row_type AND o.row_id = u.row_id ORDER BY o.op_id DESC LIMIT 1) IS NULL";
        var current = schema();
        foreach (var type in types)
        {
            if (current.FindSynced(type) is { } table)
            {
                var target = ViewSql.Id(table.DataTableName);
                await db.ExecuteAsync($"INSERT OR REPLACE INTO {target}(id, data) {Winners}", [type], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync($"DELETE FROM {target} WHERE id IN ({Gone})", [type], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                untyped.Stored(type);
                await db.ExecuteAsync($"INSERT OR REPLACE INTO ps_untyped(type, id, data) SELECT ?, * FROM ({Winners})", [type, type], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync($"DELETE FROM ps_untyped WHERE type = ? AND id IN ({Gone})", [type, type], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The first apply of a bulk download that saw each row once, in PUTs with data: every op is its row's
    /// winner, so the op log is copied as stored, without the row index. With few types, one
    /// <c>INSERT ... SELECT</c> per type (a scan each); with more, one pass that sends each op to its table.
    /// </summary>
    private async Task ApplyEachOnceAsync(SqlContext db, BulkLoad bulk, CancellationToken cancellationToken)
    {
        var current = schema();
        // Every row of the download is copied: no update hook call per row; the target tables are reported at commit.
        using var _ = pool.ReportChangesAs(bulk.Types.Select(t => current.FindSynced(t)?.DataTableName ?? "ps_untyped"));
        if (bulk.Types.Count > MaxScansPerApply)
        {
            CopyOplogInOnePass(db.Connection.Handle!, current, untyped, cancellationToken);
            return;
        }

        foreach (var type in bulk.Types)
        {
            if (current.FindSynced(type) is null) untyped.Stored(type);
            var sql = current.FindSynced(type) is { } table
                ? $"INSERT OR REPLACE INTO {ViewSql.Id(table.DataTableName)}(id, data) SELECT row_id, data FROM ps_oplog WHERE row_type = ? AND data IS NOT NULL"
                : "INSERT OR REPLACE INTO ps_untyped(type, id, data) SELECT row_type, row_id, data FROM ps_oplog WHERE row_type = ? AND data IS NOT NULL";
            await db.ExecuteAsync(sql, [type], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Types up to which a first apply scans the op log once per type (a scan costs less than the per-op calls of one pass).</summary>
    internal const int MaxScansPerApply = 3;

    private static void CopyOplogInOnePass(SQLitePCL.sqlite3 handle, Schema current, UntypedTables untyped, CancellationToken cancellationToken)
    {
        var targets = new List<(byte[] Type, RawStatement Insert, bool Untyped)>();
        try
        {
            using var read = new RawStatement(handle, "SELECT row_type, row_id, data FROM ps_oplog WHERE data IS NOT NULL");
            var last = -1;
            for (var n = 1; read.Step(); n++)
            {
                if ((n & 0xfff) == 0) cancellationToken.ThrowIfCancellationRequested();
                var type = read.Utf8(0);
                if (last < 0 || !type.SequenceEqual(targets[last].Type))
                {
                    last = targets.Count - 1;
                    while (last >= 0 && !type.SequenceEqual(targets[last].Type)) last--;
                    if (last < 0)
                    {
                        var name = System.Text.Encoding.UTF8.GetString(type);
                        if (current.FindSynced(name) is null) untyped.Stored(name);
                        targets.Add(current.FindSynced(name) is { } table
                            ? (type.ToArray(), new RawStatement(handle, $"INSERT OR REPLACE INTO {ViewSql.Id(table.DataTableName)}(id, data) VALUES(?1, ?2)"), false)
                            : (type.ToArray(), new RawStatement(handle, "INSERT OR REPLACE INTO ps_untyped(type, id, data) VALUES(?3, ?1, ?2)"), true));
                        last = targets.Count - 1;
                    }
                }

                var (_, insert, isUntyped) = targets[last];
                insert.BindUtf8(1, read.Utf8(1));
                insert.BindUtf8(2, read.Utf8(2));
                if (isUntyped) insert.BindUtf8(3, type);
                insert.Execute();
            }
        }
        finally
        {
            foreach (var target in targets) target.Insert.Dispose();
        }
    }

    /// <summary>
    /// After the upload queue drained: when the gate waits for an unknown write checkpoint, obtain one
    /// (a legacy write checkpoint or an accepted checkpoint request) and make it the target, unless new
    /// local writes arrived meanwhile. False when nothing changed.
    /// </summary>
    public async Task<bool> UpdateLocalTargetAsync(Func<CancellationToken, Task<long>> getWriteCheckpoint, CancellationToken cancellationToken)
    {
        var (target, seq, queued) = await pool.ReadAsync(async db =>
        {
            var t = await db.GetOptionalAsync<long?>("SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = ?", [CheckpointKeys.Target], cancellationToken).ConfigureAwait(false);
            var s = await db.GetOptionalAsync<long?>("SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'", null, cancellationToken).ConfigureAwait(false);
            var q = await db.GetOptionalAsync<long?>("SELECT 1 FROM ps_crud LIMIT 1", null, cancellationToken).ConfigureAwait(false);
            return (t, s ?? 0, q is not null);
        }, cancellationToken).ConfigureAwait(false);
        // A write queued since the upload round looked at the queue is uploaded first; its round asks for the checkpoint.
        if (target != InternalTables.MaxOpId || queued) return false;
        var writeCheckpoint = await getWriteCheckpoint(cancellationToken).ConfigureAwait(false);
        return await pool.WriteAsync(async db =>
        {
            var result = await db.ExecuteAsync(
                "UPDATE ps_kv SET value = ? WHERE key = ? AND CAST(value AS INTEGER) = ? AND NOT EXISTS (SELECT 1 FROM ps_crud) AND coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'), 0) = ?",
                [writeCheckpoint, CheckpointKeys.Target, InternalTables.MaxOpId, seq], cancellationToken).ConfigureAwait(false);
            return result.RowsAffected > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The gate's target when it is this client's latest checkpoint request and the stream has not shown
    /// it yet (a custom write checkpoint from <c>CompleteAsync</c> is never posted as a request).
    /// </summary>
    public Task<long?> GetUnacknowledgedRequestAsync(CancellationToken cancellationToken) => pool.ReadAsync(db => db.GetOptionalAsync<long?>(
        $"""
        SELECT CAST(t.value AS INTEGER) FROM ps_kv t
          JOIN ps_kv r ON r.key = '{CheckpointKeys.LastRequested}' AND CAST(r.value AS INTEGER) = CAST(t.value AS INTEGER)
          LEFT JOIN ps_kv s ON s.key = '{CheckpointKeys.LastSeen}'
        WHERE t.key = '{CheckpointKeys.Target}' AND CAST(t.value AS INTEGER) > coalesce(CAST(s.value AS INTEGER), 0)
        """, null, cancellationToken), cancellationToken);

    /// <summary>
    /// The checkpoint request id to confirm with the service when connecting: the larger of the last
    /// allocated id and a concrete gate target, at least 1 (the core's <c>initial_checkpoint_request_id</c>).
    /// </summary>
    public Task<long> GetInitialCheckpointRequestIdAsync(CancellationToken cancellationToken) => pool.ReadAsync(db => db.GetAsync<long>(
        $"SELECT max(1, coalesce((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = '{CheckpointKeys.LastRequested}'), 0), coalesce((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = '{CheckpointKeys.Target}' AND CAST(value AS INTEGER) < ?), 0))",
        [InternalTables.MaxOpId], cancellationToken), cancellationToken);

    /// <summary>Stores the id the service confirmed as the allocation counter (the core's <c>seed_checkpoint_request_id</c>).</summary>
    public Task SeedCheckpointRequestIdAsync(long id, CancellationToken cancellationToken) => pool.WriteAsync(
        db => db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) VALUES(?, ?)", [CheckpointKeys.LastRequested, id], cancellationToken), cancellationToken);

    /// <summary>Allocates the next checkpoint request id, durably (the core's <c>next_checkpoint_request_id</c>).</summary>
    public Task<long> NextCheckpointRequestIdAsync(CancellationToken cancellationToken) => pool.WriteAsync(db => db.GetAsync<long>(
        "INSERT INTO ps_kv(key, value) VALUES(?, 1) ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER)",
        [CheckpointKeys.LastRequested], cancellationToken), cancellationToken);

    /// <summary>Deletes all synced state and queued writes (and local-only data when asked); keeps the client id.</summary>
    public Task ClearAsync(bool clearLocal, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        await db.RunAsync($"""
            DELETE FROM ps_oplog; DELETE FROM ps_oplog_pending; DELETE FROM ps_buckets; DELETE FROM ps_crud; DELETE FROM ps_untyped; DELETE FROM ps_updated_rows;
            DELETE FROM ps_sync_state; DELETE FROM ps_stream_subscriptions; DELETE FROM ps_kv WHERE key NOT IN ('client_id', '{InternalTables.OplogKeyFormat}');
            """, cancellationToken).ConfigureAwait(false);
        var tables = await db.GetAllAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'ps_data__*'" + (clearLocal ? " OR name GLOB 'ps_data_local__*')" : ")"), null, cancellationToken).ConfigureAwait(false);
        foreach (var table in tables) await db.RunAsync($"DELETE FROM {ViewSql.Id(table)}", cancellationToken).ConfigureAwait(false);
        // The next download starts bulk mode afresh from an empty op log.
        await db.RunAsync(InternalTables.OplogIndexesSql, cancellationToken).ConfigureAwait(false);
        _bulk = null;
        return true;
    }, cancellationToken);

    private static async Task Run(SqlContext db, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        using var command = db.Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record SyncStateRow(long Priority, string LastSyncedAt);

    private sealed record BucketPosition(string Name, long LastOp);

    private sealed record BucketCounts(string Name, long CountAtLast, long CountSinceLast);

    private sealed record BucketState(long Id, long AddChecksum, long OpChecksum);

    private sealed record BucketSums(string Name, long AddChecksum, long OpChecksum);
}
