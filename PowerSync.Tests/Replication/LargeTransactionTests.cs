using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

/// <summary>Measures the process heap, so it runs alone: other tests' allocations would blur the figure.</summary>
[NonParallelizable]
public sealed class LargeTransactionTests
{
    [Test]
    public async Task A_transaction_larger_than_the_memory_bound_streams_row_by_row()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE big (id int PRIMARY KEY, payload text)", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        const int rows = 40_000; // ~80 MB of payload text in memory if the transaction were held whole
        await db.ExecuteAsync($"INSERT INTO big SELECT n, repeat(md5(n::text), 32) FROM generate_series(1, {rows}) AS n", ct);

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var seen = 0;
        await foreach (var change in harness.Stream.ReadChangesAsync(Lsn.Zero, ct))
        {
            if (change is RowInsert && ++seen % 5_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            if (change is TransactionCommit) break;
        }

        Assert.That(seen, Is.EqualTo(rows));
        Assert.That(peak, Is.LessThan(32L * 1024 * 1024), $"live heap grew by {peak / 1024 / 1024} MB while streaming");
    }
}
