using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Status;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

[TestFixture]
public sealed class WatchAndStatusTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task A_watch_emits_the_current_result_first_and_again_only_after_a_change_to_a_table_it_reads()
    {
        await _h.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'first')");
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var watch = _h.Db.WatchAsync<string>("SELECT name FROM lists ORDER BY name", null, cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.EqualTo(new[] { "first" }));

        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('unrelated', 'x')");
        await _h.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l2', 'second')");

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.EqualTo(new[] { "first", "second" }), "the unrelated write caused no re-run with the old result");
    }

    [Test]
    public async Task A_watched_querys_tables_are_found_while_a_write_drops_and_recreates_the_index_its_plan_reads()
    {
        // As when a watch starts while a first download begins: the download drops the op log's indexes, and
        // count(*) reads the smallest index. Each resolution must still name the table.
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(async () =>
        {
            var rounds = 0;
            while (!stop.IsCancellationRequested || rounds < 10)
            {
                await _h.Db.ExecuteAsync("DROP INDEX IF EXISTS ps_oplog_opid");
                await _h.Db.ExecuteAsync("CREATE INDEX ps_oplog_opid ON ps_oplog(bucket, op_id)");
                rounds++;
            }

            return rounds;
        });

        for (var i = 0; i < 300; i++)
        {
            var tables = await PowerSync.Client.Watch.WatchQuery.ResolveTablesAsync(_h.Db.Pool, "SELECT count(*) FROM ps_oplog", null, CancellationToken.None);
            Assert.That(tables, Is.EquivalentTo(new[] { "ps_oplog" }), $"resolution {i}");
        }

        await stop.CancelAsync();
        Assert.That(await churn, Is.GreaterThanOrEqualTo(10), "the index was dropped and recreated while the tables were resolved");
    }

    [Test]
    public async Task A_rolled_back_write_does_not_wake_a_watch()
    {
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var watch = _h.Db.WatchAsync<long>("SELECT count(*) FROM lists", null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await watch.MoveNextAsync(), Is.True);

        Assert.ThrowsAsync<InvalidOperationException>(() => _h.Db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO lists(id, name) VALUES('gone', 'x')", null, ct);
            throw new InvalidOperationException("rollback");
        }));
        await _h.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('kept', 'y'), ('kept2', 'z')");

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current.Single(), Is.EqualTo(2));
    }

    [Test]
    public async Task Synced_rows_wake_watches_once_per_applied_checkpoint()
    {
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var watch = _h.Db.WatchAsync<TestRow>("SELECT id, description FROM test ORDER BY id", null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.Empty);

        var a = Put(1, "a", """{"id":"a","description":"A"}""");
        var b = Put(2, "b", """{"id":"b","description":"B"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("x", Sum(a, b), 2)), Data("x", a), Data("x", b), Complete(2));

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.EqualTo(new[] { new TestRow("a", "A"), new TestRow("b", "B") }), "never a partial checkpoint");
    }

    [Test]
    public async Task Status_reports_connecting_downloading_progress_and_synced()
    {
        var seen = new List<SyncStatus>();
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        var collecting = Task.Run(async () =>
        {
            await foreach (var status in _h.Db.WatchStatusAsync(cts.Token))
            {
                lock (seen) seen.Add(status);
                if (status.HasSynced == true) return;
            }
        });
        var a = Put(1, "a", """{"id":"a","description":"A"}""");
        var b = Put(2, "b", """{"id":"b","description":"B"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("x", Sum(a, b), 2)), Data("x", a));
        var progress = await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.DownloadProgress?.DownloadedOperations == 1), "progress 1/2");
        stream.Send(Data("x", b), Complete(2));
        await Eventually.WithTimeout(collecting, "the synced status");

        Assert.That(progress.DownloadProgress, Is.EqualTo(new SyncProgress(1, 2)));
        Assert.That(progress.Downloading && progress.Connected, Is.True);
        Assert.That(seen.First().HasSynced, Is.False);
        Assert.That(seen.Any(s => s.Connecting), Is.True);
        var last = seen.Last();
        Assert.That(last.Downloading, Is.False);
        Assert.That(last.LastSyncedAt, Is.Not.Null);
        Assert.That(last.PriorityStatus.Single().Priority, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public async Task ConnectAsync_returns_promptly_when_the_service_is_unreachable()
    {
        var unreachable = new TestConnector(new Uri("http://127.0.0.1:9/"));

        var connect = _h.Db.ConnectAsync(unreachable, SyncHarness.Options);
        await Eventually.WithTimeout(connect, "ConnectAsync to return");
        var status = await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.DownloadError is not null), "the download error");

        Assert.That(status.Connected, Is.False);
        await Eventually.WithTimeout(_h.Db.DisconnectAsync(), "DisconnectAsync");
        Assert.That(_h.Db.CurrentStatus.Connecting, Is.False);
    }
}
