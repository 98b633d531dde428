using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Crud;

namespace PowerSync.Tests.Docs;

/// <summary>Runs the examples of docs/client.md: locally, then against an app embedding PowerSync.</summary>
public sealed class ClientGuideTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder("powersync-client-guide-");

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private static CancellationToken Timeout(out CancellationTokenSource source)
    {
        source = new CancellationTokenSource(TimeSpan.FromSeconds(120));   // a loaded machine: the embedded service and Postgres start within it too
        return source.Token;
    }

    [Test]
    public async Task The_query_transaction_and_watch_examples_work_offline()
    {
        var ct = Timeout(out var timeout);
        using var _ = timeout;
        await using var db = await ClientGuideExamples.OpenAsync(Path.Combine(_folder.Path, "app.db"), ct);

        var (todos, open, list) = await ClientGuideExamples.QueriesAsync(db, ct);
        Assert.That(todos, Has.Count.EqualTo(1));
        Assert.That(todos[0].Description, Is.EqualTo("Milk"));
        Assert.That(todos[0].Rank, Is.Null);
        Assert.That(open, Is.EqualTo(1));
        Assert.That(list!["name"], Is.EqualTo("Groceries"));
        Assert.That(todos[0].ListId, Is.EqualTo(list["id"]));

        Assert.That(await ClientGuideExamples.TransactionsAsync(db, todos[0].ListId, ct), Is.Zero, "every todo of the list was completed");

        await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed) VALUES ('t2', ?, 'Bread', 0)", [todos[0].ListId], ct);
        var watching = ClientGuideExamples.WatchAsync(db, ct);
        await db.ExecuteAsync("UPDATE todos SET completed = 1 WHERE id = 't2'", cancellationToken: ct);
        var seen = await watching;
        Assert.That(seen[^1], Is.Zero, "the watch saw the update");
        Assert.That(seen, Is.SubsetOf(new long[] { 1, 0 }));

        // Every write above was queued for upload: 2 lists/todos inserts, the transaction's update, one more insert and update.
        Assert.That((await db.GetUploadQueueStatsAsync(cancellationToken: ct)).Count, Is.EqualTo(5));

        await ClientGuideExamples.BatchAsync(db, todos[0].ListId, ct);
        Assert.That(await db.GetAllAsync<string>("SELECT description FROM todos WHERE completed = 0 ORDER BY description", cancellationToken: ct), Is.EqualTo(new[] { "Eggs", "Flour", "Sugar" }));
        var queue = await ClientGuideExamples.UploadStatsAsync(db, ct);
        Assert.That(queue.Count, Is.EqualTo(8));
        Assert.That(queue.SizeBytes, Is.GreaterThan(8 * 40), "each entry's JSON counts");

        var changes = ClientGuideExamples.WatchChangesAsync(db, ct);
        await db.ExecuteAsync("UPDATE todos SET completed = 1 WHERE description = 'Eggs'", cancellationToken: ct);
        await db.ExecuteAsync("UPDATE lists SET name = 'Baking'", cancellationToken: ct);
        await changes;   // ends once 'lists' changed
    }

    [Test]
    public async Task The_table_options_example_queues_what_each_option_says()
    {
        var ct = Timeout(out var timeout);
        using var _ = timeout;
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = Path.Combine(_folder.Path, "options.db"),
            Schema = ClientGuideExamples.TableOptionsSchema(),
        }, ct);
        await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed) VALUES ('t1', 'l1', 'Milk', 0)", cancellationToken: ct);
        await db.ExecuteAsync("UPDATE todos SET completed = 1 WHERE id = 't1'", cancellationToken: ct);
        await db.ExecuteAsync("UPDATE todos SET description = 'Milk' WHERE id = 't1'", cancellationToken: ct);
        await db.ExecuteAsync("INSERT INTO drafts (id, body) VALUES ('d1', 'not sent')", cancellationToken: ct);
        await db.ExecuteAsync("INSERT INTO events (id, kind, payload) VALUES ('e1', 'opened', '{}')", cancellationToken: ct);
        await db.ExecuteAsync("INSERT INTO my_notes (id, body, _metadata) VALUES ('n1', 'hello', 'from-device-7')", cancellationToken: ct);

        var batch = await db.GetCrudBatchAsync(100, ct);
        var entries = batch!.Entries.Select(e => (e.Op, e.Table, e.Id)).ToList();
        Assert.That(entries, Is.EqualTo(new[]
        {
            (UpdateType.Put, "todos", "t1"),
            (UpdateType.Patch, "todos", "t1"),   // the no-op update is not queued
            (UpdateType.Put, "events", "e1"),    // drafts are local only
            (UpdateType.Put, "notes", "n1"),
        }));
        Assert.That(batch.Entries[1].PreviousValues!["completed"].GetInt64(), Is.Zero);
        Assert.That(batch.Entries[3].Metadata, Is.EqualTo("from-device-7"));
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM events", cancellationToken: ct), Is.Zero, "insert-only rows are not stored");
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM drafts", cancellationToken: ct), Is.EqualTo(1));
    }

    private const string Rules = """
        bucket_definitions:
          lists:
            priority: 1
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
          todos:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM todos WHERE list_id = bucket.list_id
        """;

    [Test]
    public async Task The_connect_status_priority_upload_and_sign_out_examples_work_against_an_embedded_service()
    {
        var ct = Timeout(out var timeout);
        using var _ = timeout;
        await using var source = await TestPostgres.CreateDatabaseAsync();
        await source.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text NOT NULL);
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text NOT NULL, completed integer NOT NULL DEFAULT 0, rank real);
            INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'alice', 'Errands'), ('l3', 'bob', 'Work');
            INSERT INTO todos VALUES ('t1', 'l1', 'Milk', 0, 1.5), ('t2', 'l3', 'Report', 0, NULL);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);
        await using var app = await LoopbackHost.StartPowerSyncAsync(source.ConnectionString, Rules);

        // A REST backend that records what the connector sends.
        var calls = new ConcurrentQueue<string>();
        await using var rest = await LoopbackHost.StartAsync(builder =>
        {
            var api = builder.Build();
            api.Map("/api/{table}/{id}", async (HttpRequest request, string table, string id) =>
            {
                using var reader = new StreamReader(request.Body);
                calls.Enqueue($"{request.Method} {table}/{id} {await reader.ReadToEndAsync()}".TrimEnd());
                return Results.NoContent();
            });
            return api;
        });

        await using var db = await ClientGuideExamples.OpenAsync(Path.Combine(_folder.Path, "alice.db"), ct);
        ClientGuideExamples.Events(db);
        var connector = new RestConnector(app.Address, _ => Task.FromResult(app.Token("alice")), rest.Client);
        await ClientGuideExamples.ConnectAsync(db, connector, ct);
        await ClientGuideExamples.FirstSyncAsync(db, ct);

        Assert.That(await ClientGuideExamples.PrioritiesAsync(db, ct), Is.EqualTo(new[] { "Errands", "Groceries" }));
        var status = await ClientGuideExamples.StatusAsync(db, ct);
        Assert.That(status.Connected, Is.True);
        Assert.That(status.LastSyncedAt, Is.Not.Null);
        Assert.That(await db.GetAllAsync<TodoRow>("SELECT * FROM todos", cancellationToken: ct),
            Is.EqualTo(new[] { new TodoRow("t1", "l1", "Milk", 0, 1.5) }), "alice's todos only, rank as REAL");

        await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed) VALUES ('t9', 'l2', 'Stamps', 0)", cancellationToken: ct);
        await db.ExecuteAsync("UPDATE todos SET completed = 1 WHERE id = 't1'", cancellationToken: ct);
        await db.ExecuteAsync("DELETE FROM todos WHERE id = 't9'", cancellationToken: ct);
        await db.WaitForStatusAsync(s => !s.Uploading && calls.Count >= 3, ct);
        Assert.That(calls, Is.EqualTo(new[]
        {
            """PUT todos/t9 {"completed":0,"description":"Stamps","list_id":"l2"}""",
            """PATCH todos/t1 {"completed":1}""",
            "DELETE todos/t9",
        }));
        Assert.That((await db.GetUploadQueueStatsAsync(cancellationToken: ct)).Count, Is.Zero);

        // Sync now: the REST backend accepts the write without storing it, so the service's state (t1 not completed) comes back.
        Assert.That(await ClientGuideExamples.SyncNowAsync(db, "t1", ct), Is.Zero, "the service's version once the checkpoint after the upload is applied");

        await ClientGuideExamples.SignOutAsync(db, db.Schema, ct);
        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM lists", cancellationToken: ct), Is.Zero, "sign-out deleted synced data");
        Assert.That(db.CurrentStatus.HasSynced, Is.False);
    }

    private const string StreamRules = """
        config:
          edition: 3
        streams:
          list_todos:
            query: SELECT * FROM todos WHERE list_id = subscription.parameter('list')
        """;

    [Test]
    public async Task The_streams_example_subscribes_syncs_the_lists_todos_and_unsubscribes()
    {
        var ct = Timeout(out var timeout);
        using var _ = timeout;
        await using var source = await TestPostgres.CreateDatabaseAsync();
        await source.ExecuteAsync("""
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text NOT NULL, completed integer NOT NULL DEFAULT 0, rank real);
            INSERT INTO todos VALUES ('t1', 'l1', 'Milk', 0, 1.5), ('t2', 'l3', 'Report', 0, NULL);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """, ct);
        await using var app = await LoopbackHost.StartPowerSyncAsync(source.ConnectionString, StreamRules);
        await using var db = await ClientGuideExamples.OpenAsync(Path.Combine(_folder.Path, "streams.db"), ct);
        await db.ConnectAsync(new RestConnector(app.Address, _ => Task.FromResult(app.Token("alice")), app.Client), cancellationToken: ct);

        Assert.That(await ClientGuideExamples.StreamsAsync(db, "l1", ct), Is.EqualTo(new[] { "Milk" }));
        var stream = db.CurrentStatus.ForStream("list_todos", new Dictionary<string, object?> { ["list"] = "l1" });
        Assert.That(stream?.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(50)), "unsubscribed: it expires after its TTL of an hour");
    }
}
