using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The ceiling for replication: how fast Postgres itself takes rows in (COPY, 1000 rows a
/// transaction) and how fast the bare pgoutput stream delivers them decoded to text, with no sync
/// rules and no storage. The <c>replication</c> scenario is judged against this figure.
/// </summary>
public sealed class PgOutputCeilingScenario : IScenario
{
    private const int RowsPerTransaction = 1000;

    public string Name => "pgoutput-ceiling";

    public string Description => "raw pgoutput decode rate vs the Postgres COPY insert rate, same run";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 100_000;
        await using var server = await PostgresServer.StartAsync(ct);
        await using var db = await server.CreateDatabaseAsync("pgoutput-ceiling", ct);
        await db.ExecuteAsync($"""
            CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price double precision, updated_at timestamptz NOT NULL);
            CREATE PUBLICATION {db.PublicationName} FOR TABLE items;
            """, ct);

        await using var replication = new LogicalReplicationConnection(db.ConnectionString);
        await replication.Open(ct);
        var slot = await replication.CreatePgOutputReplicationSlot(
            db.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: ct);

        var insert = Stopwatch.StartNew();
        await InsertRowsAsync(db, rows, ct);
        insert.Stop();

        var decode = Stopwatch.StartNew();
        var decoded = 0;
        long valueChars = 0;
        await foreach (var message in replication.StartReplication(
            slot, new PgOutputReplicationOptions(db.PublicationName, PgOutputProtocolVersion.V1), ct))
        {
            if (message is InsertMessage insertMessage)
            {
                await foreach (var value in insertMessage.NewRow)
                {
                    if (!value.IsDBNull) valueChars += (await value.Get<string>(ct)).Length;
                }
                decoded++;
            }
            replication.SetReplicationStatus(message.WalEnd);
            if (message is CommitMessage && decoded >= rows) break;
        }
        decode.Stop();

        report.Add("rows", rows);
        report.Add("transactions", (long)Math.Ceiling(rows / (double)RowsPerTransaction));
        report.Add("decoded_value_chars", valueChars);
        report.Add("postgres_copy_seconds", insert.Elapsed.TotalSeconds, "s");
        report.Add("postgres_copy_rows_per_s", rows / insert.Elapsed.TotalSeconds, "rows/s");
        report.Add("pgoutput_decode_seconds", decode.Elapsed.TotalSeconds, "s");
        report.Add("pgoutput_decode_rows_per_s", decoded / decode.Elapsed.TotalSeconds, "rows/s");
        report.Add("decode_vs_copy_ratio", insert.Elapsed.TotalSeconds / decode.Elapsed.TotalSeconds);
    }

    private static async Task InsertRowsAsync(TestDatabase db, int rows, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var now = DateTime.UtcNow;
        for (var start = 0; start < rows; start += RowsPerTransaction)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var copy = await conn.BeginBinaryImportAsync("COPY items (id, name, price, updated_at) FROM STDIN (FORMAT BINARY)", ct))
            {
                for (var id = start; id < Math.Min(rows, start + RowsPerTransaction); id++)
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
}
