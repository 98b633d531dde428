using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Tests.Storage;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Pipeline;

/// <summary>
/// Crashes injected at many points of replication — mid-snapshot, after ops are written, before and
/// after the storage commit, at the fsync — or replication connections cut mid-transaction, then a
/// restart: the buckets end exactly as in an uninterrupted run, down to checksums and op counts.
/// </summary>
public sealed class PipelineCrashTests
{
    private const string Rules = """
        bucket_definitions:
          by_list:
            parameters: SELECT id AS list_id FROM lists WHERE owner = request.user_id()
            data:
              - SELECT id, list_id, description, done FROM todos WHERE list_id = bucket.list_id
        """;

    private static readonly string[] Buckets = [.. Enumerable.Range(0, 5).Select(i => $"by_list[\"l{i}\"]")];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private TempFolder _temp = null!;
    private bool DroppedAtLeastOnce { get; set; }

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-pipeline-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static async Task<TestDatabase> CreateSourceAsync()
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner text NOT NULL);
            CREATE TABLE todos (id int PRIMARY KEY, list_id text NOT NULL, description text, done boolean NOT NULL DEFAULT false);
            INSERT INTO lists SELECT 'l' || n, 'u' || (n % 2) FROM generate_series(0, 4) AS n;
            INSERT INTO todos SELECT n, 'l' || (n % 5), 'todo ' || n, false FROM generate_series(1, 300) AS n;
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        return db;
    }

    /// <summary>Streamed after the snapshot: updates, moves between buckets, deletes, inserts, a truncate and a refill.</summary>
    private static async Task ApplyChangesAsync(TestDatabase db)
    {
        var random = new Random(7);
        for (var t = 0; t < 25; t++)
        {
            var sql = new System.Text.StringBuilder("BEGIN;");
            for (var c = 0; c < 6; c++)
            {
                var id = random.Next(1, 360);
                sql.Append(random.Next(4) switch
                {
                    0 => $"UPDATE todos SET description = 'edited {t}.{c}', done = NOT done WHERE id = {id};",
                    1 => $"UPDATE todos SET list_id = 'l{random.Next(5)}' WHERE id = {id};",
                    2 => $"DELETE FROM todos WHERE id = {id};",
                    _ => $"INSERT INTO todos VALUES ({id}, 'l{random.Next(5)}', 'inserted {t}.{c}', false) ON CONFLICT (id) DO UPDATE SET description = excluded.description;",
                });
            }
            sql.Append("COMMIT;");
            await db.ExecuteAsync(sql.ToString());
            if (t == 12) await db.ExecuteAsync("TRUNCATE todos; INSERT INTO todos SELECT n, 'l' || (n % 3), 'refilled ' || n, true FROM generate_series(1, 120) AS n;");
        }
        await db.ExecuteAsync("INSERT INTO todos SELECT n, 'l4', 'bulk ' || n, false FROM generate_series(1000, 1400) AS n");
    }

    private async Task<Dictionary<string, (BucketReducer.State State, BucketChecksum Checksum)>> ReplicateAsync(
        string name, Action<string>? fault, bool dropConnections = false)
    {
        await using var db = await CreateSourceAsync();
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, name)).FullName;
        var target = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var proxy = new Replication.FreezableTcpProxy(target.Host!, target.Port);
        var viaProxy = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        // Connections are cut in the middle of source transactions: after every 25th flush of the
        // writer, while it holds saved but uncommitted changes and commits not yet acknowledged.
        var armed = false;
        var flushes = 0;
        if (dropConnections)
        {
            fault = point =>
            {
                if (Volatile.Read(ref armed) && point == "flush:after-ops" && ++flushes % 25 == 0) proxy.DropConnections();
            };
        }
        await using var run = new ReplicationRun(db, Rules, folder, fault, flushOps: 7, chunkSize: 40, replicationConnectionString: viaProxy);
        run.Start();
        await run.WaitForCheckpointAsync(Lsn.Zero, Timeout);
        Volatile.Write(ref armed, true);
        await ApplyChangesAsync(db);
        var checkpoint = await run.WaitForCheckpointAsync(await run.SourcePositionAsync(), Timeout);
        TestContext.Out.WriteLine($"{name}: {run.Restarts} restart(s), {flushes} flushes, checkpoint {checkpoint}");
        if (dropConnections && flushes >= 25) DroppedAtLeastOnce = true;
        return await run.BucketsAsync(checkpoint, Buckets);
    }

    [TestCase("flush:after-ops", 5)]
    [TestCase("flush:after-ops", 23)]
    [TestCase("commit:before", 2)]
    [TestCase("commit:before", 9)]
    [TestCase("commit:after", 3)]
    [TestCase("commit:after", 11)]
    [TestCase("durable:before-sync", 4)]
    public Task A_crash_at_any_point_of_replication_then_restarting_gives_exactly_the_ops_of_an_uninterrupted_run(string point, int nth) =>
        CrashAndCompareAsync(point, nth);

    [Test]
    public async Task Replication_connections_dropped_mid_stream_give_exactly_the_ops_of_an_uninterrupted_run()
    {
        var expected = await ReplicateAsync("clean", fault: null);
        var actual = await ReplicateAsync("dropped", fault: null, dropConnections: true);
        Assert.That(DroppedAtLeastOnce, Is.True, "connections were cut");

        foreach (var bucket in Buckets)
        {
            Assert.That(actual[bucket].State.Rows, Is.EquivalentTo(expected[bucket].State.Rows), $"rows of {bucket}");
            Assert.That(actual[bucket].Checksum, Is.EqualTo(expected[bucket].Checksum), $"checksum and op count of {bucket}: nothing replayed twice");
        }
    }

    private async Task CrashAndCompareAsync(string point, int nth)
    {
        var expected = await ReplicateAsync("clean", fault: null);

        var seen = 0;
        var crashes = 0;
        var actual = await ReplicateAsync("crashing", p =>
        {
            if (p != point || Interlocked.Increment(ref seen) % nth != 0 || crashes >= 4) return;
            Interlocked.Increment(ref crashes);
            throw new InjectedCrash(p);
        });

        Assert.That(crashes, Is.GreaterThan(0), "the crash point was reached");
        Assert.That(expected.Values.Sum(b => b.State.Rows.Count), Is.GreaterThan(300), "the workload leaves rows to compare");
        foreach (var bucket in Buckets)
        {
            Assert.That(actual[bucket].State.Rows, Is.EquivalentTo(expected[bucket].State.Rows), $"rows of {bucket}");
            Assert.That(actual[bucket].State.Checksum, Is.EqualTo(actual[bucket].Checksum.Checksum), $"the ops of {bucket} add up to its stored checksum");
            Assert.That(actual[bucket].Checksum, Is.EqualTo(expected[bucket].Checksum), $"checksum and op count of {bucket}");
        }
    }
}
