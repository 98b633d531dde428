using System.Diagnostics;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NUnit.Framework;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

/// <summary>Manual measurement: the stream's decode rate (with value mapping) against bare Npgsql pgoutput, same rows.</summary>
[Explicit("Measurement, not a check: run by name.")]
[Category("Performance")]
public sealed class StreamThroughputTests
{
    [TestCase(100_000)]
    public async Task Stream_decode_rate_compared_with_bare_pgoutput(int rows)
    {
        var ct = new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price double precision, updated_at timestamptz NOT NULL)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        var rawSlot = db.SlotName + "_raw";
        await using var raw = new LogicalReplicationConnection(db.ConnectionString);
        await raw.Open(ct);
        var slot = await raw.CreatePgOutputReplicationSlot(rawSlot, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: ct);
        await db.ExecuteAsync($"INSERT INTO items SELECT n, 'item ' || n, n * 1.5, now() FROM generate_series(1, {rows}) AS n", ct);

        var bare = Stopwatch.StartNew();
        var bareRows = 0;
        await foreach (var message in raw.StartReplication(slot, new PgOutputReplicationOptions(db.PublicationName, PgOutputProtocolVersion.V1), ct))
        {
            if (message is InsertMessage insert)
            {
                await foreach (var value in insert.NewRow)
                {
                    if (!value.IsDBNull) _ = await value.Get<string>(ct);
                }
                bareRows++;
            }
            if (message is CommitMessage) break;
        }
        bare.Stop();

        var ours = Stopwatch.StartNew();
        var ourRows = (await harness.CollectCommitsAsync(1, ct)).OfType<RowInsert>().Count();
        ours.Stop();

        var bareRate = bareRows / bare.Elapsed.TotalSeconds;
        var ourRate = ourRows / ours.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"bare pgoutput: {bareRate:0} rows/s; PgOutputReplicationStream: {ourRate:0} rows/s; ratio {ourRate / bareRate:0.00}");
        Assert.That(ourRows, Is.EqualTo(rows));
        Assert.That(bareRows, Is.EqualTo(rows));
    }
}
