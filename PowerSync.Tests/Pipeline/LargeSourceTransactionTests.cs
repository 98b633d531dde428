using NUnit.Framework;
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
        var folder = Directory.CreateTempSubdirectory("powersync-large-").FullName;
        try
        {
            await using var db = await TestPostgres.CreateDatabaseAsync();
            await db.ExecuteAsync("CREATE TABLE big (id int PRIMARY KEY, payload text); CREATE PUBLICATION powersync FOR ALL TABLES;");
            await using var run = new ReplicationRun(db, Rules, folder);
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
            var baseline = GC.GetTotalMemory(forceFullCollection: true);
            long peak = 0;
            Checkpoint checkpoint;
            while (true)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                if (await run.Storage.Reader.GetCheckpointAsync(default) is { } cp && cp.Lsn >= target)
                {
                    checkpoint = cp;
                    break;
                }
                await Task.Delay(200);
            }
            await watching.CancelAsync();
            await watcher;

            var checksum = (await run.Storage.Reader.GetChecksumsAsync(checkpoint, ["global[]"], default)).Single();
            Assert.That(checksum.Count, Is.EqualTo(rows));
            Assert.That(counts, Is.All.EqualTo(0L).Or.EqualTo((long)rows), "no checkpoint splits the source transaction");
            Assert.That(peak, Is.LessThan(96L * 1024 * 1024), $"live heap grew by {peak / 1024 / 1024} MB while the transaction was replicated");
            TestContext.Out.WriteLine($"peak heap growth {peak / 1024 / 1024} MB; checkpoints seen: {string.Join(", ", counts)}");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
