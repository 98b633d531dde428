using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Pipeline;

/// <summary>What a slot keeps on the source while replication runs: only what replication has not made durable.</summary>
public sealed class WalRetentionTests
{
    private const long MiB = 1024 * 1024;

    [Test]
    public async Task Writing_50_MB_to_an_unpublished_table_leaves_at_most_16_MB_of_wal_retained_by_the_slot()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE items (id text PRIMARY KEY, name text);
            CREATE TABLE bulk (id int PRIMARY KEY, payload text);
            CREATE PUBLICATION powersync FOR TABLE items;
            """);
        using var folder = new TempFolder("powersync-wal-");
        await using var run = new ReplicationRun(db, Hosting.ReplicationHealthTests.Rules, folder.Path);
        run.Start();
        await run.WaitForCheckpointAsync(await run.SourcePositionAsync(), TimeSpan.FromSeconds(60));

        var before = Lsn.Parse(await db.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));
        await db.ExecuteAsync("INSERT INTO bulk SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 50000) g");
        var written = (long)(Lsn.Parse(await db.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text")).Value - before.Value);
        var settled = await Eventually.HoldsAsync(RetainedAsync, retained => retained <= 16 * MiB, TimeSpan.FromSeconds(60),
            "the slot retains at most 16 MB");

        TestContext.Progress.WriteLine($"{written / MiB} MB of WAL written outside the publication; retained WAL <= 16 MB {settled.TotalSeconds:0.0} s later");
        Assert.That(written, Is.GreaterThanOrEqualTo(50 * MiB), "the test writes what it says");

        Task<long> RetainedAsync() => db.ScalarAsync<long>("""
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE database = current_database()
            """);
    }
}
