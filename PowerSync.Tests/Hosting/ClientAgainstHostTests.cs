using System.Text.Json;
using Npgsql;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Crud;
using PowerSync.Client.Tables;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>PowerSync.Client syncing from an ASP.NET host that embeds PowerSync.Core, over a private Postgres.</summary>
public sealed class ClientAgainstHostTests
{
    private const string Rules = """
        bucket_definitions:
          user_lists:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
              - SELECT id, list_id, description, done FROM todos WHERE list_id = bucket.list_id
        """;

    private static readonly Schema AppSchema = new(
        new Table("lists", [Column.Text("owner_id"), Column.Text("name")]),
        new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("done")]));

    private sealed record Todo(string Id, string List_id, string Description, long Done);

    /// <summary>The app's backend: applies each uploaded transaction to Postgres in one transaction.</summary>
    private sealed class TestBackend(Uri endpoint, string token, string connectionString) : IPowerSyncBackendConnector
    {
        public int Uploads;

        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken ct) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public async Task UploadDataAsync(PowerSyncDatabase database, CancellationToken ct)
        {
            var tx = await database.GetNextCrudTransactionAsync(ct);
            if (tx is null) return;
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(ct);
            await using var pg = await conn.BeginTransactionAsync(ct);
            foreach (var entry in tx.Entries)
            {
                Assert.That(entry.Table, Is.EqualTo("todos"));
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = pg;
                switch (entry.Op)
                {
                    case UpdateType.Put:
                        cmd.CommandText = "INSERT INTO todos (id, list_id, description, done) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET list_id = $2, description = $3, done = $4";
                        cmd.Parameters.Add(new() { Value = entry.Id });
                        cmd.Parameters.Add(new() { Value = entry.Data!["list_id"].GetString() });
                        cmd.Parameters.Add(new() { Value = entry.Data["description"].GetString() });
                        cmd.Parameters.Add(new() { Value = entry.Data.TryGetValue("done", out var d) ? d.GetInt32() : 0 });
                        break;
                    case UpdateType.Patch:
                        cmd.CommandText = "UPDATE todos SET done = $2 WHERE id = $1";
                        cmd.Parameters.Add(new() { Value = entry.Id });
                        cmd.Parameters.Add(new() { Value = entry.Data!["done"].GetInt32() });
                        break;
                    case UpdateType.Delete:
                        cmd.CommandText = "DELETE FROM todos WHERE id = $1";
                        cmd.Parameters.Add(new() { Value = entry.Id });
                        break;
                }
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await pg.CommitAsync(ct);
            Interlocked.Increment(ref Uploads);
            await tx.CompleteAsync(cancellationToken: ct);
        }
    }

    private static async Task<IReadOnlyList<Todo>> WhenAsync(PowerSyncDatabase db, Func<IReadOnlyList<Todo>, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        IReadOnlyList<Todo> last = [];
        await foreach (var todos in db.WatchAsync<Todo>("SELECT id, list_id, description, done FROM todos ORDER BY id", null, timeout.Token))
        {
            last = todos;
            if (condition(todos)) return todos;
        }
        throw new AssertionException("unreachable: " + JsonSerializer.Serialize(last));
    }

    private const string Schema = """
        CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
        CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text, done integer NOT NULL DEFAULT 0);
        INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'bob', 'Work');
        INSERT INTO todos VALUES ('t1', 'l1', 'milk', 0), ('t2', 'l1', 'bread', 0), ('b1', 'l2', 'report', 0);
        CREATE PUBLICATION powersync FOR ALL TABLES;
        """;

    private static async Task<long?> KvAsync(PowerSyncDatabase db, string key) =>
        await db.GetOptionalAsync<long?>("SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = ?", [key]);

    /// <summary>
    /// Waits until the device has nothing left to upload, the service acknowledged its uploads (the gate's
    /// target was applied) and it shows exactly alice's todos as Postgres has them.
    /// </summary>
    private static async Task ConvergesAsync(PowerSyncDatabase db, TestDatabase pgdb)
    {
        const string Local = """
            SELECT coalesce((SELECT string_agg(id || ':' || description || ':' || done, ',') FROM (SELECT * FROM todos ORDER BY id)), '')
              || '|' || ((SELECT count(*) FROM ps_crud) + (SELECT count(*) FROM ps_kv WHERE key = 'target_checkpoint_request_id'
                 AND CAST(value AS INTEGER) > coalesce((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'last_applied_checkpoint_request_id'), 0)))
            """;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string last = "", expected = "";
        try
        {
            await foreach (var rows in db.WatchAsync<string>(Local, null, timeout.Token))
            {
                last = rows[0];
                if (!last.EndsWith("|0", StringComparison.Ordinal)) continue;
                expected = await pgdb.ScalarAsync<string>("SELECT coalesce(string_agg(id || ':' || description || ':' || done, ',' ORDER BY id), '') FROM todos WHERE list_id = 'l1'");
                if (last == expected + "|0") return;
            }
        }
        catch (OperationCanceledException)
        {
            var kv = string.Join(", ", (await db.GetAllAsync<string>("SELECT key || '=' || value FROM ps_kv")));
            Assert.Fail($"The device did not converge with Postgres ({expected}); it shows {last} (after '|': queued writes plus an unacknowledged gate); ps_kv: {kv}.");
        }
    }

    [TestCase(CheckpointMode.Requests)]
    [TestCase(CheckpointMode.Legacy)]
    public async Task A_client_syncs_uploads_and_converges_with_postgres(CheckpointMode mode)
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync(Schema);
        await using var app = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, Rules);
        var backend = new TestBackend(app.Address, app.Token("alice"), pgdb.ConnectionString);
        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(app.Folder, "client.db"), Schema = AppSchema });
        try
        {
            await db.ConnectAsync(backend, new PowerSyncConnectionOptions { CheckpointMode = mode });
            using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await db.WaitForFirstSyncAsync(cancellationToken: first.Token);
            var todos = await db.GetAllAsync<Todo>("SELECT id, list_id, description, done FROM todos ORDER BY id");
            Assert.That(todos.Select(t => t.Id), Is.EqualTo(new[] { "t1", "t2" }), "only alice's list");

            await pgdb.ExecuteAsync("UPDATE todos SET done = 1 WHERE id = 't1'");
            await WhenAsync(db, t => t.Any(x => x.Id == "t1" && x.Done == 1));

            await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, done) VALUES ('t3', 'l1', 'eggs', 0)");
            await db.ExecuteAsync("UPDATE todos SET done = 1 WHERE id = 't2'");
            await db.ExecuteAsync("DELETE FROM todos WHERE id = 't1'");
            await WhenAsync(db, t => t.Select(x => (x.Id, x.Done)).SequenceEqual(new[] { ("t2", 1L), ("t3", 0L) }));
            using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await foreach (var count in db.WatchAsync<long>("SELECT count(*) FROM ps_crud", null, drained.Token))
                {
                    if (count[0] == 0) break;
                }
            }
            Assert.That(backend.Uploads, Is.GreaterThan(0));
            Assert.That(await pgdb.ScalarAsync<string>("SELECT string_agg(id || ':' || done, ',' ORDER BY id) FROM todos WHERE list_id = 'l1'"), Is.EqualTo("t2:1,t3:0"));
            await ConvergesAsync(db, pgdb);
            if (mode == CheckpointMode.Requests)
            {
                Assert.That(await KvAsync(db, "last_requested_checkpoint_request_id"), Is.GreaterThanOrEqualTo(2), "the connection confirmed id 1, uploads took the next ones");
                Assert.That(await KvAsync(db, "last_applied_checkpoint_request_id"), Is.EqualTo(await KvAsync(db, "target_checkpoint_request_id")), "the gate's request was applied");
            }
            else
            {
                Assert.That(await KvAsync(db, "last_requested_checkpoint_request_id"), Is.Null, "legacy mode requests nothing");
            }

            // Moving a row out of alice's lists removes it from her device.
            await pgdb.ExecuteAsync("UPDATE todos SET list_id = 'l2' WHERE id = 't3'");
            var final = await WhenAsync(db, t => t.All(x => x.Id != "t3"));
            Assert.That(final.Select(t => t.Id), Is.EqualTo(new[] { "t2" }));
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    [TestCase(CheckpointMode.Requests)]
    [TestCase(CheckpointMode.Legacy)]
    public async Task RequestCheckpointAsync_after_an_upload_completes_with_the_services_state_including_the_upload(CheckpointMode mode)
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync(Schema);
        await using var app = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, Rules);
        var backend = new TestBackend(app.Address, app.Token("alice"), pgdb.ConnectionString);
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(app.Folder, "client.db"), Schema = AppSchema });
        await db.ConnectAsync(backend, new PowerSyncConnectionOptions { CheckpointMode = mode, CrudUploadThrottle = TimeSpan.Zero });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await db.WaitForFirstSyncAsync(cancellationToken: timeout.Token);

        await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, done) VALUES ('t3', 'l1', 'eggs', 0)");
        await foreach (var queued in db.WatchAsync<long>("SELECT count(*) FROM ps_crud", null, timeout.Token))
        {
            if (queued[0] == 0) break;
        }
        Assert.That(backend.Uploads, Is.EqualTo(1));
        // The service's state moves on past the upload: another device completes the new todo, and one more appears.
        await pgdb.ExecuteAsync("UPDATE todos SET done = 1 WHERE id = 't3'; INSERT INTO todos VALUES ('t4', 'l1', 'flour', 0);");

        await db.RequestCheckpointAsync(timeout.Token);

        var todos = await db.GetAllAsync<Todo>("SELECT id, list_id, description, done FROM todos ORDER BY id");
        Assert.That(todos.Select(t => (t.Id, t.Done)), Is.EqualTo(new[] { ("t1", 0L), ("t2", 0L), ("t3", 1L), ("t4", 0L) }),
            "at once: the uploaded todo as the service has it, and what changed before the request");
    }

    [Test]
    public async Task In_requests_mode_a_restart_with_a_request_the_service_lost_converges_and_ids_keep_growing()
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync(Schema);
        await using var app = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, Rules);
        var backend = new TestBackend(app.Address, app.Token("alice"), pgdb.ConnectionString);
        var options = new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(app.Folder, "client.db"), Schema = AppSchema };
        var connection = new PowerSyncConnectionOptions { CheckpointMode = CheckpointMode.Requests };

        var db = await PowerSyncDatabase.OpenAsync(options);
        try
        {
            await db.ConnectAsync(backend, connection);
            await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, done) VALUES ('t3', 'l1', 'eggs', 0)");
            await ConvergesAsync(db, pgdb);
            var first = await KvAsync(db, "last_applied_checkpoint_request_id");
            Assert.That(first, Is.Not.Null);

            // Offline: a write is uploaded, its request accepted, and the app stops before the checkpoint
            // arrives — and the service loses that request (the state that wedges a legacy client).
            await db.DisconnectAsync();
            await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, done) VALUES ('t4', 'l1', 'butter', 0)");
            await backend.UploadDataAsync(db, CancellationToken.None);
            var lost = first!.Value + 1;
            await db.ExecuteAsync("INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', ?), ('last_requested_checkpoint_request_id', ?)", [lost, lost]);
        }
        finally
        {
            await db.DisposeAsync();
        }

        db = await PowerSyncDatabase.OpenAsync(options);
        try
        {
            Assert.That(await KvAsync(db, "target_checkpoint_request_id"), Is.EqualTo(await KvAsync(db, "last_requested_checkpoint_request_id")), "the gate survived the restart");
            var lost = (await KvAsync(db, "target_checkpoint_request_id"))!.Value;
            await db.ConnectAsync(backend, connection);
            await ConvergesAsync(db, pgdb);
            Assert.That(await KvAsync(db, "last_applied_checkpoint_request_id"), Is.EqualTo(lost), "connecting posted the lost request again and the stream acknowledged it");

            await db.ExecuteAsync("UPDATE todos SET done = 1 WHERE id = 't4'");
            await ConvergesAsync(db, pgdb);
            Assert.That(await pgdb.ScalarAsync<int>("SELECT done FROM todos WHERE id = 't4'"), Is.EqualTo(1));
            Assert.That(await KvAsync(db, "last_applied_checkpoint_request_id"), Is.GreaterThan(lost), "ids keep growing across the restart");
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
