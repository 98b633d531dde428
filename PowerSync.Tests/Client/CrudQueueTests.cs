using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Crud;
using PowerSync.Client.Tables;

namespace PowerSync.Tests.Client;

[TestFixture]
public sealed class CrudQueueTests
{
    private ClientTestContext _ctx = null!;

    [SetUp]
    public void SetUp() => _ctx = new ClientTestContext();

    [TearDown]
    public async Task TearDown() => await _ctx.DisposeAsync();

    private static Task<IReadOnlyList<string>> QueueJsonAsync(PowerSyncDatabase db) => db.GetAllAsync<string>("SELECT data FROM ps_crud ORDER BY id");

    [Test]
    public async Task Put_patch_and_delete_write_the_official_ps_crud_json()
    {
        var db = await _ctx.OpenAsync();
        await db.ExecuteAsync("INSERT INTO todos(id, description, completed, weight) VALUES('t1', 'Buy \"milk\"', 0, 2.5)");
        await db.ExecuteAsync("UPDATE todos SET description = 'Sell', list_id = 'l1' WHERE id = 't1'");
        await db.ExecuteAsync("UPDATE todos SET completed = NULL WHERE id = 't1'");
        await db.ExecuteAsync("INSERT INTO todos(id, completed) VALUES('t2', 4611686018427387904)");
        await db.ExecuteAsync("DELETE FROM todos WHERE id = 't1'");

        Assert.That(await QueueJsonAsync(db), Is.EqualTo(new[]
        {
            """{"op":"PUT","id":"t1","type":"todos","data":{"completed":0,"description":"Buy \"milk\"","weight":2.5}}""",
            """{"op":"PATCH","id":"t1","type":"todos","data":{"description":"Sell","list_id":"l1"}}""",
            """{"op":"PATCH","id":"t1","type":"todos","data":{"completed":null}}""",
            """{"op":"PUT","id":"t2","type":"todos","data":{"completed":4611686018427387904}}""",
            """{"op":"DELETE","id":"t1","type":"todos"}""",
        }));
    }

    [Test]
    public async Task Tracked_previous_values_are_recorded_as_old()
    {
        var schema = new Schema(
            new Table("all_old", [Column.Text("a"), Column.Integer("b")], new TableOptions { TrackPreviousValues = new TrackPreviousValues() }),
            new Table("changed_old", [Column.Text("a"), Column.Integer("b")], new TableOptions { TrackPreviousValues = new TrackPreviousValues(OnlyWhenChanged: true) }),
            new Table("column_old", [Column.Text("a"), Column.Integer("b")], new TableOptions { TrackPreviousValues = new TrackPreviousValues(["a"]) }));
        var db = await _ctx.OpenAsync(schema);
        foreach (var table in new[] { "all_old", "changed_old", "column_old" })
        {
            await db.ExecuteAsync($"INSERT INTO {table}(id, a, b) VALUES('r', 'x', 1)");
            await db.ExecuteAsync($"UPDATE {table} SET b = 2 WHERE id = 'r'");
            await db.ExecuteAsync($"DELETE FROM {table} WHERE id = 'r'");
        }

        var json = await QueueJsonAsync(db);

        Assert.That(json.Where(j => !j.Contains("\"PUT\"")), Is.EqualTo(new[]
        {
            """{"op":"PATCH","id":"r","type":"all_old","data":{"b":2},"old":{"a":"x","b":1}}""",
            """{"op":"DELETE","id":"r","type":"all_old","old":{"a":"x","b":2}}""",
            """{"op":"PATCH","id":"r","type":"changed_old","data":{"b":2},"old":{"b":1}}""",
            """{"op":"DELETE","id":"r","type":"changed_old","old":{"a":"x","b":2}}""",
            """{"op":"PATCH","id":"r","type":"column_old","data":{"b":2},"old":{"a":"x"}}""",
            """{"op":"DELETE","id":"r","type":"column_old","old":{"a":"x"}}""",
        }));
    }

    [Test]
    public async Task Metadata_is_sent_with_writes_and_deletes_through_the_deleted_column()
    {
        var schema = new Schema(new Table("items", [Column.Text("a")], new TableOptions { TrackMetadata = true }));
        var db = await _ctx.OpenAsync(schema);
        await db.ExecuteAsync("INSERT INTO items(id, a, _metadata) VALUES('i1', 'x', 'created-by-test')");
        await db.ExecuteAsync("UPDATE items SET a = 'y' WHERE id = 'i1'");
        await db.ExecuteAsync("UPDATE items SET _deleted = TRUE, _metadata = 'bye' WHERE id = 'i1'");

        Assert.That(await QueueJsonAsync(db), Is.EqualTo(new[]
        {
            """{"op":"PUT","id":"i1","type":"items","data":{"a":"x"},"metadata":"created-by-test"}""",
            """{"op":"PATCH","id":"i1","type":"items","data":{"a":"y"}}""",
            """{"op":"DELETE","id":"i1","type":"items","metadata":"bye"}""",
        }));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM items"), Is.Zero);
    }

    [Test]
    public async Task Insert_only_tables_queue_the_row_without_storing_it()
    {
        var schema = new Schema(new Table("logs", [Column.Text("msg")], new TableOptions { InsertOnly = true }));
        var db = await _ctx.OpenAsync(schema);
        await db.ExecuteAsync("INSERT INTO logs(id, msg) VALUES('g1', 'hi')");

        Assert.That(await QueueJsonAsync(db), Is.EqualTo(new[] { """{"op":"PUT","type":"logs","id":"g1","data":{"msg":"hi"}}""" }));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM logs"), Is.Zero);
        Assert.That(await db.GetAsync<long>("SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)"), Is.Zero, "insert-only writes do not block downloads");
    }

    [Test]
    public async Task Empty_updates_are_dropped_only_when_the_table_asks()
    {
        var schema = new Schema(
            new Table("quiet", [Column.Text("a")], new TableOptions { IgnoreEmptyUpdates = true }),
            new Table("loud", [Column.Text("a")]));
        var db = await _ctx.OpenAsync(schema);
        await db.ExecuteAsync("INSERT INTO quiet(id, a) VALUES('q', 'x')");
        await db.ExecuteAsync("INSERT INTO loud(id, a) VALUES('l', 'x')");
        await db.ExecuteAsync("UPDATE quiet SET a = 'x'");
        await db.ExecuteAsync("UPDATE loud SET a = 'x'");

        var json = await QueueJsonAsync(db);

        Assert.That(json, Has.Count.EqualTo(3));
        Assert.That(json[2], Is.EqualTo("""{"op":"PATCH","id":"l","type":"loud","data":{}}"""));
    }

    [Test]
    public async Task Local_only_tables_keep_rows_locally_and_queue_nothing()
    {
        var schema = new Schema(new Table("drafts", [Column.Text("body")], new TableOptions { LocalOnly = true }));
        var db = await _ctx.OpenAsync(schema);
        await db.ExecuteAsync("INSERT INTO drafts(id, body) VALUES('d1', 'text')");
        await db.ExecuteAsync("UPDATE drafts SET body = 'edited'");

        Assert.That(await db.GetAsync<string>("SELECT body FROM drafts"), Is.EqualTo("edited"));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_data_local__drafts"), Is.EqualTo(1));
        Assert.That((await db.GetUploadQueueStatsAsync()).Count, Is.Zero);
    }

    [Test]
    public async Task Synced_tables_reject_missing_or_non_text_ids_and_id_changes()
    {
        var db = await _ctx.OpenAsync();

        Assert.That(async () => await db.ExecuteAsync("INSERT INTO lists(name) VALUES('x')"), Throws.Exception.With.Message.Contains("id is required"));
        Assert.That(async () => await db.ExecuteAsync("INSERT INTO lists(id, name) VALUES(5, 'x')"), Throws.Exception.With.Message.Contains("id should be text"));
        await db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'x')");
        Assert.That(async () => await db.ExecuteAsync("UPDATE lists SET id = 'l2'"), Throws.Exception.With.Message.Contains("Cannot update id"));
    }

    [Test]
    public async Task Writes_are_grouped_by_local_transaction_and_completed_in_order()
    {
        var db = await _ctx.OpenAsync();
        await db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'a')", null, ct);
            await tx.ExecuteAsync("INSERT INTO todos(id, list_id) VALUES('t1', 'l1')", null, ct);
        });
        await db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l2', 'b')");

        var first = await db.GetNextCrudTransactionAsync();
        Assert.That(first!.Entries.Select(e => (e.Op, e.Table, e.Id)), Is.EqualTo(new[] { (UpdateType.Put, "lists", "l1"), (UpdateType.Put, "todos", "t1") }));
        Assert.That(first.Entries[1].Data!["list_id"].GetString(), Is.EqualTo("l1"));
        await first.CompleteAsync();

        var second = await db.GetNextCrudTransactionAsync();
        Assert.That(second!.TransactionId, Is.GreaterThan(first.TransactionId!.Value));
        Assert.That(second.Entries.Single().Id, Is.EqualTo("l2"));
        await second.CompleteAsync();
        Assert.That(await db.GetNextCrudTransactionAsync(), Is.Null);
    }

    [Test]
    public async Task A_crud_batch_reports_whether_more_entries_wait()
    {
        var db = await _ctx.OpenAsync();
        for (var i = 0; i < 5; i++) await db.ExecuteAsync("INSERT INTO lists(id, name) VALUES(?, 'n')", [$"l{i}"]);

        var batch = await db.GetCrudBatchAsync(3);
        Assert.That(batch!.Entries, Has.Count.EqualTo(3));
        Assert.That(batch.HasMore, Is.True);
        await batch.CompleteAsync();

        var rest = await db.GetCrudBatchAsync(3);
        Assert.That(rest!.Entries.Select(e => e.Id), Is.EqualTo(new[] { "l3", "l4" }));
        Assert.That(rest.HasMore, Is.False);
    }
}
