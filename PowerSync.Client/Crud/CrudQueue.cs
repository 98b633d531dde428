using System.Globalization;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Client.Crud;

/// <summary>Reads and completes the upload queue (<c>ps_crud</c>).</summary>
internal sealed class CrudQueue(ConnectionPool pool)
{
    private sealed record Row(long Id, long? TxId, string Data);

    public async Task<CrudTransaction?> GetNextTransactionAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(async db =>
        {
            var first = await db.GetOptionalAsync<Row>("SELECT id, tx_id, data FROM ps_crud ORDER BY id LIMIT 1", null, cancellationToken).ConfigureAwait(false);
            if (first is null) return [];
            if (first.TxId is null) return [first];
            return await db.GetAllAsync<Row>("SELECT id, tx_id, data FROM ps_crud WHERE tx_id = ? ORDER BY id", [first.TxId], cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : new CrudTransaction(rows[0].TxId, rows.Select(ToEntry).ToList(), CompleteAsync);
    }

    public async Task<CrudBatch?> GetBatchAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var rows = await pool.ReadAsync(
            db => db.GetAllAsync<Row>("SELECT id, tx_id, data FROM ps_crud ORDER BY id LIMIT ?", [limit + 1], cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0) return null;
        return new CrudBatch(rows.Take(limit).Select(ToEntry).ToList(), rows.Count > limit, CompleteAsync);
    }

    public Task<UploadQueueStats> GetStatsAsync(bool includeSize, CancellationToken cancellationToken) => pool.ReadAsync(async db =>
    {
        if (!includeSize) return new UploadQueueStats(await db.GetAsync<long>("SELECT count(*) FROM ps_crud", null, cancellationToken).ConfigureAwait(false));
        return await db.GetAsync<UploadQueueStats>("SELECT count(*) AS count, coalesce(sum(length(CAST(data AS BLOB))), 0) AS size_bytes FROM ps_crud", null, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<long?> PeekHeadAsync(CancellationToken cancellationToken) =>
        pool.ReadAsync(db => db.GetOptionalAsync<long?>("SELECT id FROM ps_crud ORDER BY id LIMIT 1", null, cancellationToken), cancellationToken);

    public async Task CompleteAsync(long lastClientId, string? writeCheckpoint, CancellationToken cancellationToken)
    {
        await pool.WriteAsync(async db =>
        {
            await db.ExecuteAsync("DELETE FROM ps_crud WHERE id <= ?", [lastClientId], cancellationToken).ConfigureAwait(false);
            if (writeCheckpoint is null)
            {
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) VALUES(?, ?)", [CheckpointKeys.Target, InternalTables.MaxOpId], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var target = long.Parse(writeCheckpoint, NumberStyles.None, CultureInfo.InvariantCulture);
                await db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM ps_crud)", [CheckpointKeys.Target, target], cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static CrudEntry ToEntry(Row row) => CrudEntry.Parse(row.Id, row.TxId, row.Data);
}
