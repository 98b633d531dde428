using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Npgsql.Replication;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// End-to-end replication: N rows inserted in Postgres (1000 a transaction) while replication is
/// stopped, then replication resumes from its slot and is timed until all are committed as a
/// checkpoint in the bucket store, through pgoutput decoding, sync rules and storage (fsync on), the store
/// being SQLite, LiteDB or Postgres (<c>--storage</c>; Postgres: a second database of the same private server).
/// Ceiling: Npgsql's raw pgoutput decode rate of the same rows (the same WAL backlog), from a second
/// slot, same run. Timing the backlog on both sides keeps Postgres's own insert rate out of the ratio.
/// </summary>
public sealed class ReplicationScenario : IScenario
{
    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT * FROM items
        """;

    public string Name => "replication";

    public string Description => "Postgres inserts to bucket-store checkpoint, vs raw pgoutput decode of the same rows";

    public bool TakesStorage => true;

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 1_000_000;
        var stored = options.Stored ?? 0;
        await using var server = await PostgresServer.StartAsync(ct);
        await using var db = await server.CreateDatabaseAsync("replication-bench", ct);
        await ItemsWorkload.CreateTableAsync(db, db.PublicationName, ct);
        await using var store = await BenchmarkStore.OpenAsync(options.Storage, server, ct);
        var storage = store.Storage;
        var version = await storage.Admin.DeployAsync(Rules, ct);
        var rules = SyncRulesSet.Parse(Rules, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Snapshot of the empty table, slot created, first checkpoint (and --stored rows replicated, untimed):
        // then replication stops.
        await using (var first = await storage.Admin.OpenWriterAsync(version, ct))
        {
            using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var firstRun = new BucketReplicator(source, rules, first,
                new BucketReplicatorOptions(db.ConnectionString, db.PublicationName), NullLogger.Instance).RunAsync(stopFirst.Token);
            await WaitForCheckpointAsync(storage, Lsn.Zero, firstRun, ct);
            if (stored > 0)
            {
                await ItemsWorkload.InsertAsync(db, stored, ct);
                await WaitForCheckpointAsync(storage, await ItemsWorkload.KeepaliveLsnAsync(db, ct), firstRun, ct);
            }
            await stopFirst.CancelAsync();
            try { await firstRun; } catch (OperationCanceledException) { }
        }

        // The ceiling's slot sees exactly the same inserts.
        await using var ceilingConnection = new LogicalReplicationConnection(db.ConnectionString);
        await ceilingConnection.Open(ct);
        var ceilingSlot = await ItemsWorkload.CreateSlotAsync(ceilingConnection, db.SlotName + "_ceiling", ct);

        // Both sides then work through the same WAL backlog: replication resumes from its slot and
        // is timed until the checkpoint covering every row; the ceiling decodes the same rows.
        var insert = Stopwatch.StartNew();
        await ItemsWorkload.InsertAsync(db, rows, ct, firstId: stored);
        insert.Stop();
        var target = await ItemsWorkload.KeepaliveLsnAsync(db, ct);

        // Garbage-collection load of the timed part (this process also runs the Postgres client, not Postgres).
        var gcBefore = GcUsage.Now();
        var (cpuBefore, postgresCpuBefore) = (Environment.CpuUsage.TotalTime, CpuTime.OfPostgres(server));
        var elapsed = Stopwatch.StartNew();
        var writer = await storage.Admin.OpenWriterAsync(version, ct);
        var replicator = new BucketReplicator(source, rules, writer,
            new BucketReplicatorOptions(db.ConnectionString, db.PublicationName), NullLogger.Instance);
        var running = replicator.RunAsync(stop.Token);
        await WaitForCheckpointAsync(storage, target, running, ct);
        elapsed.Stop();
        var (cpu, postgresCpu) = (Environment.CpuUsage.TotalTime - cpuBefore, CpuTime.OfPostgres(server) - postgresCpuBefore);
        var gc = GcUsage.Since(gcBefore);
        await stop.CancelAsync();
        try { await running; } catch (OperationCanceledException) { }
        await writer.DisposeAsync();
        var insertSeconds = insert.Elapsed.TotalSeconds;

        var decode = Stopwatch.StartNew();
        var (decoded, _) = await ItemsWorkload.DecodeAsync(ceilingConnection, ceilingSlot, db.PublicationName, rows, ct);
        decode.Stop();

        var rate = rows / elapsed.Elapsed.TotalSeconds;
        var ceiling = decoded / decode.Elapsed.TotalSeconds;
        report.Add("storage", store.Engine);
        report.Add("rows", rows);
        report.Add("stored_before", stored);
        report.Add("rows_per_s", rate, "rows/s");
        report.Add("ceiling_rows_per_s", ceiling, "rows/s");
        report.Add("ratio", rate / ceiling);
        report.Add("seconds", elapsed.Elapsed.TotalSeconds, "s");
        // CPU per row, which a loaded machine inflates far less than elapsed time: this process (decoding, rules, the
        // store's client side) and the private Postgres (WAL sender, and with --storage postgres the store's writes).
        report.Add("cpu_us_per_row", cpu.TotalMicroseconds / rows, "µs");
        report.Add("postgres_cpu_us_per_row", postgresCpu.TotalMicroseconds / rows, "µs");
        report.Add("allocated_bytes_per_row", gc.AllocatedBytes / rows, "B");
        report.Add("gc_pause_ms", gc.Paused.TotalMilliseconds, "ms");
        report.Add("full_gcs", gc.FullCollections);
        report.Add("postgres_insert_seconds", insertSeconds, "s");
        report.Add("store_bytes", await store.SizeBytesAsync(ct), "B");
    }

    private static async Task WaitForCheckpointAsync(IBucketStorage storage, Lsn atLeast, Task replicator, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(30));
        // A replicator that stops (fails) ends the wait too, and its exception surfaces.
        _ = replicator.ContinueWith(_ => timeout.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            await foreach (var checkpoint in storage.Checkpoints.WatchAsync(timeout.Token))
            {
                if (checkpoint.Lsn >= atLeast) return;
            }
        }
        catch (OperationCanceledException) when (replicator.IsCompleted)
        {
            await replicator;
            throw new InvalidOperationException("The replicator stopped before reaching the target LSN.");
        }
    }
}
