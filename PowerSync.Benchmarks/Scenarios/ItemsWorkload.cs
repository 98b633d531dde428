using Npgsql;
using NpgsqlTypes;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using PowerSync.Core;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>The rows scenarios replicate: an <c>items</c> table filled by COPY, 1000 rows a transaction.</summary>
internal static class ItemsWorkload
{
    public const int RowsPerTransaction = 1000;

    public static Task CreateTableAsync(TestDatabase db, string publication, CancellationToken ct) =>
        db.ExecuteAsync($"""
            CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price double precision, updated_at timestamptz NOT NULL);
            CREATE PUBLICATION {publication} FOR TABLE items;
            """, ct);

    public static async Task InsertAsync(TestDatabase db, int rows, CancellationToken ct, int firstId = 0)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var now = DateTime.UtcNow;
        for (var start = firstId; start < firstId + rows; start += RowsPerTransaction)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var copy = await conn.BeginBinaryImportAsync("COPY items (id, name, price, updated_at) FROM STDIN (FORMAT BINARY)", ct))
            {
                for (var id = start; id < Math.Min(firstId + rows, start + RowsPerTransaction); id++)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync((long)id, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync($"item number {id}", NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(id * 0.25, NpgsqlDbType.Double, ct);
                    await copy.WriteAsync(now.AddSeconds(id), NpgsqlDbType.TimestampTz, ct);
                }
                await copy.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>A logical slot to decode the same rows from afterwards (the ceiling).</summary>
    public static async Task<PgOutputReplicationSlot> CreateSlotAsync(LogicalReplicationConnection replication, string slot, CancellationToken ct) =>
        await replication.CreatePgOutputReplicationSlot(slot, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: ct);

    /// <summary>Reads the slot until <paramref name="rows"/> inserts were decoded to text; returns how many were.</summary>
    public static async Task<(int Rows, long ValueChars)> DecodeAsync(LogicalReplicationConnection replication, PgOutputReplicationSlot slot, string publication, int rows, CancellationToken ct)
    {
        var decoded = 0;
        long chars = 0;
        await foreach (var message in replication.StartReplication(slot, new PgOutputReplicationOptions(publication, PgOutputProtocolVersion.V1), ct))
        {
            if (message is InsertMessage insert)
            {
                await foreach (var value in insert.NewRow)
                {
                    if (!value.IsDBNull) chars += (await value.Get<string>(ct)).Length;
                }
                decoded++;
            }
            replication.SetReplicationStatus(message.WalEnd);
            if (message is CommitMessage && decoded >= rows) break;
        }
        return (decoded, chars);
    }

    /// <summary>
    /// Writes the replicator's keepalive message into the source WAL and returns its LSN: a position replication
    /// checkpoints once it has read everything before it. (The current WAL position may never be checkpointed: with
    /// the store in the same cluster, its own commits move it past the last source transaction.)
    /// </summary>
    public static async Task<Lsn> KeepaliveLsnAsync(TestDatabase db, CancellationToken ct) =>
        Lsn.Parse(await db.ScalarAsync<string>(PowerSync.Core.Replication.SourceKeepalive.EmitSql, ct));
}
