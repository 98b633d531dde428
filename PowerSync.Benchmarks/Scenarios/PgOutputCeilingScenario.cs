using System.Diagnostics;
using Npgsql.Replication;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The ceiling for replication: how fast Postgres itself takes rows in (COPY, 1000 rows a
/// transaction) and how fast the bare pgoutput stream delivers them decoded to text, with no sync
/// rules and no storage. The <c>replication</c> scenario is judged against this figure.
/// </summary>
public sealed class PgOutputCeilingScenario : IScenario
{
    public string Name => "pgoutput-ceiling";

    public string Description => "raw pgoutput decode rate vs the Postgres COPY insert rate, same run";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 100_000;
        await using var server = await PostgresServer.StartAsync(ct);
        await using var db = await server.CreateDatabaseAsync("pgoutput-ceiling", ct);
        await ItemsWorkload.CreateTableAsync(db, db.PublicationName, ct);
        await using var replication = new LogicalReplicationConnection(db.ConnectionString);
        await replication.Open(ct);
        var slot = await ItemsWorkload.CreateSlotAsync(replication, db.SlotName, ct);

        var insert = Stopwatch.StartNew();
        await ItemsWorkload.InsertAsync(db, rows, ct);
        insert.Stop();

        var decode = Stopwatch.StartNew();
        var (decoded, valueChars) = await ItemsWorkload.DecodeAsync(replication, slot, db.PublicationName, rows, ct);
        decode.Stop();

        report.Add("rows", rows);
        report.Add("transactions", (long)Math.Ceiling(rows / (double)ItemsWorkload.RowsPerTransaction));
        report.Add("decoded_value_chars", valueChars);
        report.Add("postgres_copy_seconds", insert.Elapsed.TotalSeconds, "s");
        report.Add("postgres_copy_rows_per_s", rows / insert.Elapsed.TotalSeconds, "rows/s");
        report.Add("pgoutput_decode_seconds", decode.Elapsed.TotalSeconds, "s");
        report.Add("pgoutput_decode_rows_per_s", decoded / decode.Elapsed.TotalSeconds, "rows/s");
        report.Add("decode_vs_copy_ratio", insert.Elapsed.TotalSeconds / decode.Elapsed.TotalSeconds);
    }
}
