using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Core;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Pipeline;

/// <summary>Measures the process heap, so it runs alone: other tests' allocations would blur the figure.</summary>
[NonParallelizable]
public sealed class LargeSourceTransactionTests
{
    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT id, payload FROM big
        """;

    [Test]
    public async Task A_half_million_row_transaction_reaches_the_store_as_one_checkpoint_in_bounded_memory()
    {
        const int rows = 500_000;
        using var folder = new TempFolder("powersync-large-");
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE big (id int PRIMARY KEY, payload text); CREATE PUBLICATION powersync FOR ALL TABLES;");
        // The heap is sampled from inside the write path: after every 25th flush of the writer.
        long baseline = 0, peak = 0;
        var flushes = 0;
        var sampling = false;
        await using var run = new ReplicationRun(db, Rules, folder.Path, point =>
        {
            if (Volatile.Read(ref sampling) && point == "flush:after-ops" && ++flushes % 25 == 0)
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        });
        run.Start();
        await run.WaitForCheckpointAsync(Lsn.Zero, TimeSpan.FromSeconds(60));

        // Every checkpoint published while the transaction streams must hold all of it or none.
        using var watching = new CancellationTokenSource();
        var counts = new List<long>();
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var cp in run.Storage.Checkpoints.WatchAsync(watching.Token))
                    counts.Add((await run.Storage.Reader.GetChecksumsAsync(cp, ["global[]"], default)).Single().Count);
            }
            catch (OperationCanceledException)
            {
            }
        });

        // ~100 MB of row data if the transaction were held whole (plus per-row objects).
        await db.ExecuteAsync($"INSERT INTO big SELECT n, repeat(md5(n::text), 6) FROM generate_series(1, {rows}) AS n");
        var target = await run.SourcePositionAsync();
        baseline = GC.GetTotalMemory(forceFullCollection: true);
        Volatile.Write(ref sampling, true);
        var checkpoint = await run.WaitForCheckpointAsync(target, TimeSpan.FromMinutes(3));
        Volatile.Write(ref sampling, false);
        await watching.CancelAsync();
        await watcher;

        var checksum = (await run.Storage.Reader.GetChecksumsAsync(checkpoint, ["global[]"], default)).Single();
        Assert.That(checksum.Count, Is.EqualTo(rows));
        Assert.That(counts, Is.All.EqualTo(0L).Or.EqualTo((long)rows), "no checkpoint splits the source transaction");
        Assert.That(flushes, Is.GreaterThanOrEqualTo(25), "the heap was sampled while the transaction was written");
        Assert.That(peak, Is.LessThan(96L * 1024 * 1024), $"live heap grew by {peak / 1024 / 1024} MB while the transaction was replicated");
        TestContext.Out.WriteLine($"peak heap growth {peak / 1024 / 1024} MB; checkpoints seen: {string.Join(", ", counts)}");
    }
}
