using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Status;
using PowerSync.Client.Tables;
using PowerSync.Client.Watch;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// The client API the official SDKs have too: batches of one statement, the upload queue's statistics, table change
/// notifications without a query, per-watch throttles and tables, and the lifecycle events.
/// </summary>
[TestFixture]
public sealed class ClientApiTests : ScriptedServiceTests
{
    [Test]
    public async Task ExecuteBatchAsync_runs_the_statement_once_per_argument_set_in_one_local_transaction()
    {
        await Harness.Db.ExecuteBatchAsync("INSERT INTO lists(id, name) VALUES(?, ?)", [["l1", "Groceries"], ["l2", "Work"], ["l3", null]]);

        Assert.That(await Harness.Db.GetAllAsync<string>("SELECT id || '=' || coalesce(name, 'null') FROM lists ORDER BY id"), Is.EqualTo(new[] { "l1=Groceries", "l2=Work", "l3=null" }));
        var queued = await Harness.Db.GetNextCrudTransactionAsync();
        Assert.That(queued!.Entries.Select(e => e.Id), Is.EqualTo(new[] { "l1", "l2", "l3" }), "one local transaction, uploaded together");
    }

    [Test]
    public async Task ExecuteBatchAsync_applies_no_argument_set_when_one_fails()
    {
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('taken', 'first')");

        Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            Harness.Db.ExecuteBatchAsync("INSERT INTO lists(id, name) VALUES(?, ?)", [["new", "ok"], ["taken", "duplicate id"]]));
        Assert.That(await Harness.Db.GetAllAsync<string>("SELECT id FROM lists"), Is.EqualTo(new[] { "taken" }));

        var error = Assert.ThrowsAsync<ArgumentException>(() => Harness.Db.ExecuteBatchAsync("INSERT INTO lists(id, name) VALUES(?, ?)", [["a", "b"], ["c"]]));
        Assert.That(error!.Message, Does.StartWith("Argument set 1: The SQL has 2 '?' placeholders but 1 arguments were given."));
        Assert.That((await Harness.Db.GetUploadQueueStatsAsync()).Count, Is.EqualTo(1), "only the first write is queued");
    }

    [Test]
    public async Task ExecuteBatchAsync_inside_a_write_transaction_commits_with_it()
    {
        await Harness.Db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteBatchAsync("INSERT INTO lists(id, name) VALUES(?, ?)", [["a", "A"], ["b", "B"]], ct);
            await tx.ExecuteAsync("UPDATE lists SET name = name || '!'", null, ct);
        });

        Assert.That(await Harness.Db.GetAllAsync<string>("SELECT name FROM lists ORDER BY id"), Is.EqualTo(new[] { "A!", "B!" }));
    }

    [Test]
    public async Task The_upload_queue_stats_count_queued_writes_and_their_bytes()
    {
        Assert.That(await Harness.Db.GetUploadQueueStatsAsync(includeSize: true), Is.EqualTo(new PowerSync.Client.Crud.UploadQueueStats(0, 0)));
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'Groceries')");
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l2', 'Große Liste')");
        await Harness.Db.ExecuteAsync("UPDATE lists SET name = 'Food' WHERE id = 'l1'");

        var queued = (await Harness.Db.GetCrudBatchAsync(10))!.Entries;
        var stats = await Harness.Db.GetUploadQueueStatsAsync(includeSize: true);
        Assert.That(stats.Count, Is.EqualTo(3));
        Assert.That(stats.SizeBytes, Is.EqualTo(queued.Sum(e => Encoding.UTF8.GetByteCount(e.RawJson))), "UTF-8 bytes: 'ß' counts two");
        Assert.That((await Harness.Db.GetUploadQueueStatsAsync()).SizeBytes, Is.Null, "the size only when asked for");
    }

    [Test]
    public async Task WatchChangesAsync_reports_the_watched_tables_a_commit_changed_by_the_names_given()
    {
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var changes = Harness.Db.WatchChangesAsync(["lists", "ps_crud"], new WatchOptions { Throttle = TimeSpan.Zero }, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = changes.MoveNextAsync().AsTask();
        await Harness.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('t', 'a table nobody watches')");
        Assert.That(await Eventually.WithTimeout(next, "the first change"), Is.True);
        Assert.That(changes.Current.Tables, Is.EqualTo(new[] { "ps_crud" }), "the upload queue by its SQLite name; 'test' is not watched");

        next = changes.MoveNextAsync().AsTask();
        await Harness.Db.ExecuteAsync("UPDATE lists SET name = 'x'");   // changes no row: nothing to report
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'Groceries')");
        Assert.That(await Eventually.WithTimeout(next, "the second change"), Is.True);
        Assert.That(changes.Current.Tables, Is.EqualTo(new[] { "lists", "ps_crud" }));
    }

    [Test]
    public async Task WatchChangesAsync_without_tables_watches_every_table_of_the_schema_and_synced_writes_count()
    {
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var changes = Harness.Db.WatchChangesAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var next = changes.MoveNextAsync().AsTask();
        var stream = await Harness.ConnectAsync();
        var t1 = Put(1, "t1", """{"id":"t1","description":"synced"}""");
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(t1), 1)), Data("a", t1), Complete(1));

        Assert.That(await Eventually.WithTimeout(next, "the synced change"), Is.True);
        Assert.That(changes.Current.Tables, Is.EqualTo(new[] { "test" }), "by the schema's name, not ps_data__test; the op log is not a schema table");
    }

    [Test]
    public async Task A_watch_throttle_holds_a_change_back_that_long_and_reports_the_changes_within_it_together()
    {
        var throttle = TimeSpan.FromSeconds(1);
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        await using var changes = Harness.Db.WatchChangesAsync(["lists", "test"], new WatchOptions { Throttle = throttle }, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = changes.MoveNextAsync().AsTask();
        var written = Stopwatch.StartNew();
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'Groceries')");
        await Harness.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('t1', 'x')");

        Assert.That(await Eventually.WithTimeout(next, "the throttled change"), Is.True);
        Assert.That(written.Elapsed, Is.GreaterThanOrEqualTo(throttle));
        Assert.That(changes.Current.Tables, Is.EqualTo(new[] { "lists", "test" }));
    }

    [Test]
    public async Task A_watched_query_with_its_own_tables_reruns_on_changes_to_those_only()
    {
        using var cts = new CancellationTokenSource(Eventually.Timeout);
        var options = new WatchOptions { Tables = ["test"], Throttle = TimeSpan.Zero };
        await using var watch = Harness.Db.WatchAsync<long>("SELECT count(*) FROM lists", null, options, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current, Is.EqualTo(new[] { 0L }));

        var next = watch.MoveNextAsync().AsTask();
        await Harness.Db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'read, but not a watched table')");
        await Harness.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('t1', 'watched')");
        Assert.That(await Eventually.WithTimeout(next, "the re-run"), Is.True);
        Assert.That(watch.Current, Is.EqualTo(new[] { 1L }), "re-run once 'test' changed, and it reads the lists row as well");
    }

    [Test]
    public void A_negative_watch_throttle_is_refused_when_the_watch_starts()
    {
        var error = Assert.Throws<PowerSyncClientException>(() => Harness.Db.WatchChangesAsync(["lists"], new WatchOptions { Throttle = TimeSpan.FromSeconds(-1) }));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("WatchOptions.Throttle"));
    }

    [Test]
    public async Task StatusChanged_is_raised_for_each_change_in_order_and_Closed_once_after_everything_else()
    {
        var events = new ConcurrentQueue<string>();
        var statuses = new ConcurrentQueue<SyncStatus>();
        var synced = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        object? source = null;
        Harness.Db.StatusChanged += (sender, e) =>
        {
            source = sender;
            statuses.Enqueue(e.Status);
            events.Enqueue("status");
            if (e.Status.HasSynced == true) synced.TrySetResult(true);
        };
        Harness.Db.Closed += (_, _) => events.Enqueue("closed");

        var stream = await Harness.ConnectAsync();
        var t1 = Put(1, "t1", """{"id":"t1","description":"synced"}""");
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(t1), 1)), Data("a", t1), Complete(1));
        await Eventually.WithTimeout(synced.Task, "a StatusChanged with the first sync");
        await Harness.Db.DisposeAsync();

        Assert.That(source, Is.SameAs(Harness.Db));
        var seen = statuses.ToList();
        Assert.That(seen.Select(s => s.Connecting), Does.Contain(true));
        Assert.That(seen.FindIndex(s => s.Connected), Is.LessThan(seen.FindIndex(s => s.HasSynced == true)), "connected, then synced: in order");
        Assert.That(seen[^1], Is.EqualTo(Harness.Db.CurrentStatus).And.Property(nameof(SyncStatus.Connected)).False, "the last event is the last status");
        Assert.That(events.Count(e => e == "closed"), Is.EqualTo(1));
        Assert.That(events.Last(), Is.EqualTo("closed"), "after every status change");
    }

    [Test]
    public async Task SchemaChanged_carries_the_new_schema_and_a_throwing_handler_is_logged_without_stopping_the_next()
    {
        var received = new TaskCompletionSource<Schema>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Harness.Db.SchemaChanged += (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("a broken handler");
        };
        Harness.Db.SchemaChanged += (_, e) =>
        {
            if (Volatile.Read(ref calls) == 2) received.TrySetResult(e.Schema);
        };
        var wider = new Schema([.. SyncHarness.TestSchema.Tables, new Table("notes", [Column.Text("body")])]);

        await Harness.Db.UpdateSchemaAsync(wider);
        await Harness.Db.UpdateSchemaAsync(wider);

        Assert.That(await Eventually.WithTimeout(received.Task, "the second SchemaChanged"), Is.SameAs(wider));
        var failure = Log.Exceptions.Single(e => e.EventId == 9105);
        Assert.That(failure.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(failure.Exception.Message, Is.EqualTo("a broken handler"));
    }
}
