using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Tests.Infrastructure.Postgres;
using TodoBackend;
using TodoClient;

namespace PowerSync.Tests.Samples;

/// <summary>samples/TodoBackend and samples/TodoClient, as the demo runs them: real Postgres, HTTP and SQLite.</summary>
public sealed class TodoSampleTests
{
    private sealed class Sample : IAsyncDisposable
    {
        private Sample(TestDatabase db, LoopbackHost host)
        {
            Db = db;
            Host = host;
        }

        public TestDatabase Db { get; }
        public LoopbackHost Host { get; }
        public string Folder => Host.Folder;
        public Uri Address => Host.Address;

        public static async Task<Sample> StartAsync(CancellationToken ct, string environment = "Development")
        {
            var db = await TestPostgres.CreateDatabaseAsync();
            await db.ExecuteAsync(File.ReadAllText(TodoBackendApp.InAppFolder("schema.sql")) + File.ReadAllText(TodoBackendApp.InAppFolder("seed.sql")), ct);
            var host = await LoopbackHost.StartProgramAsync((folder, prepare) => TodoBackendApp.Build(["--environment", environment], builder =>
            {
                prepare(builder);
                builder.Configuration["ConnectionStrings:Postgres"] = db.ConnectionString;
                builder.Configuration["PowerSync:StoragePath"] = Path.Combine(folder, "buckets.db");
                builder.Configuration["Auth:DevSigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            }));
            return new Sample(db, host);
        }

        public static async Task<string> TokenAsync(HttpClient http, string user, CancellationToken ct)
        {
            using var response = await http.PostAsJsonAsync("/api/auth/token", new { user_id = user }, ct);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return json.RootElement.GetProperty("token").GetString()!;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Db.DisposeAsync();
        }
    }

    [Test]
    public async Task An_upload_while_the_database_connection_is_cut_is_a_503_the_client_retries_and_the_retry_applies()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var sample = await Sample.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = sample.Address };
        var token = await Sample.TokenAsync(http, "bob", ct);
        async Task<(HttpStatusCode Status, string Body)> UploadAsync(string id)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data")
            {
                Content = JsonContent.Create(new { batch = new object[] { new { op = "PUT", table = "todos", id, data = new { list_id = "trip", description = id } } } }),
            };
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
        Assert.That((await UploadAsync("before")).Status, Is.EqualTo(HttpStatusCode.OK), "the pool now holds an idle connection");

        // As a Postgres restart does: every session of the app is ended (the replication connection is not a client backend).
        await sample.Db.ExecuteAsync("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """, ct);
        var cut = await UploadAsync("cut");
        var retried = await UploadAsync("cut");

        Assert.That(cut.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), cut.Body);
        Assert.That(cut.Body, Does.Contain("retry the batch"));
        Assert.That(retried.Status, Is.EqualTo(HttpStatusCode.OK), retried.Body);
        Assert.That(await sample.Db.ScalarAsync<long>("SELECT count(*) FROM todos WHERE id = 'cut'", ct), Is.EqualTo(1));
    }

    [Test]
    public async Task The_console_client_built_for_net8_syncs_against_the_sample_backend()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var sample = await Sample.StartAsync(ct);
        // samples/TodoClient's net8.0 build, of the tests' configuration (bin/<configuration>/net10.0 above the tests).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var client = Path.Combine(Docs.DocSnippetTests.RepositoryRoot(), "samples", "TodoClient", "bin", configuration, "net8.0", "TodoClient.dll");
        Assert.That(File.Exists(client), Is.True, $"{client} is built with the solution");

        // Only a newer runtime may be installed: roll forward, as an app built for .NET 8 may be run.
        await using var smoke = ChildProcess.Start(ChildProcess.DotnetHost, [client, sample.Address.ToString(), "alice", "smoke"], sample.Folder,
            new Dictionary<string, string> { ["DOTNET_ROLL_FORWARD"] = "Major" });
        var exit = await smoke.WaitForExitAsync(TimeSpan.FromSeconds(90), ct);

        Assert.That(exit, Is.Zero, smoke.Output);
        Assert.That(smoke.Output, Does.Contain("smoke: ok: alice synced").And.Contain("client built for .NETCoreApp,Version=v8.0"));
        var id = System.Text.RegularExpressions.Regex.Match(smoke.Output, "todo ([0-9a-f]{32}) went up and came back").Groups[1].Value;
        Assert.That(await sample.Db.ScalarAsync<string>($"SELECT description FROM todos WHERE id = '{id}' AND created_by = 'alice'", ct), Does.StartWith("smoke "),
            "the todo is in Postgres");
    }

    [Test]
    public async Task The_upload_endpoint_applies_allowed_writes_in_one_transaction_and_answers_refusals_with_reasons()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var sample = await Sample.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = sample.Address };
        var token = await Sample.TokenAsync(http, "bob", ct);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data")
        {
            Content = JsonContent.Create(new
            {
                batch = new object[]
                {
                    new { op = "PUT", table = "todos", id = "b1", data = new { list_id = "trip", description = "Sunscreen", completed = 0 } },  // shared with bob
                    new { op = "PATCH", table = "todos", id = "report", data = new { completed = 1 } },                                        // his own list
                    new { op = "PUT", table = "todos", id = "b2", data = new { list_id = "groceries", description = "Cake" } },                // alice's list
                    new { op = "PUT", table = "todos", id = "milk", data = new { list_id = "work", description = "Mine now" } },               // alice's todo, moved
                    new { op = "DELETE", table = "lists", id = "trip" },                                                                       // shared, not owned
                    new { op = "PUT", table = "list_members", id = "x", data = new { list_id = "groceries", user_id = "bob" } },
                },
            }),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "refusals are answered 2xx, so the client does not retry them forever");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.That(body.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(2));
        var rejected = body.RootElement.GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("id").GetString(), r.GetProperty("reason").GetString()!)).ToList();
        Assert.That(rejected.Select(r => r.Item1), Is.EqualTo(new[] { "b2", "milk", "trip", "x" }));
        Assert.That(rejected.All(r => r.Item2.Length > 0), "each refusal says why");

        await using var conn = await sample.Db.OpenConnectionAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT id, list_id, description, completed FROM todos ORDER BY id", conn);
        var rows = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) rows.Add($"{reader.GetString(0)}:{reader.GetString(1)}:{reader.GetString(2)}:{reader.GetInt32(3)}");
        Assert.That(rows, Is.EqualTo(new[]
        {
            "b1:trip:Sunscreen:0", "bread:groceries:Bread:1", "hotel:trip:Find a hotel:0", "milk:groceries:Milk:0",
            "report:work:Quarterly report:1", "tickets:trip:Book tickets:0",
        }), "allowed writes applied, alice's todo untouched");

        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/data") { Content = JsonContent.Create(new { batch = Array.Empty<object>() }) };
        using var refused = await http.SendAsync(anonymous, ct);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>Entries no client should send; each must be refused with a reason, never fail the batch.</summary>
    private static readonly (string Kind, string Entry)[] BadEntries =
    [
        ("op a number", """{"op":1,"table":"todos","id":"t-op","data":{}}"""),
        ("table an array", """{"op":"PUT","table":["todos"],"id":"t-table","data":{}}"""),
        ("entry a number", "5"),
        ("entry a string", "\"PUT todos\""),
        ("entry null", "null"),
        ("entry an array", """["PUT","todos","t-array"]"""),
        ("id a number", """{"op":"PUT","table":"todos","id":7,"data":{}}"""),
        ("data an array", """{"op":"PATCH","table":"todos","id":"report","data":[1]}"""),
        ("boolean 1.5", """{"op":"PATCH","table":"todos","id":"report","data":{"completed":1.5}}"""),
        ("boolean 1e12", """{"op":"PATCH","table":"todos","id":"report","data":{"completed":1e12}}"""),
        ("boolean 2", """{"op":"PATCH","table":"todos","id":"report","data":{"completed":2}}"""),
        ("NUL in a value", """{"op":"PATCH","table":"todos","id":"report","data":{"description":"a\u0000b"}}"""),
        ("NUL in an id", """{"op":"PUT","table":"lists","id":"l\u0000x","data":{"name":"n"}}"""),
        ("lone surrogate in an id", """{"op":"PUT","table":"lists","id":"l\ud800x","data":{"name":"n"}}"""),
        ("lone surrogate in a value", """{"op":"PUT","table":"lists","id":"l-surrogate","data":{"name":"\udc00"}}"""),
        ("description a number", """{"op":"PATCH","table":"todos","id":"report","data":{"description":5}}"""),
    ];

    [Test]
    public async Task The_upload_endpoint_answers_every_well_formed_batch_with_200_and_a_reason_per_bad_entry_and_malformed_json_with_400()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var sample = await Sample.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = sample.Address };
        var token = await Sample.TokenAsync(http, "bob", ct);
        async Task<(HttpStatusCode Status, string Body)> PostAsync(byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data") { Content = content };
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request, ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        const string Good = """{"op":"PATCH","table":"todos","id":"report","data":{"completed":true}}""";
        foreach (var (kind, entry) in BadEntries)
        {
            var (status, body) = await PostAsync(System.Text.Encoding.UTF8.GetBytes($$"""{"batch":[{{entry}},{{Good}}]}"""));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{kind}: {body}");
            using var json = JsonDocument.Parse(body);
            Assert.That(json.RootElement.GetProperty("applied").GetInt32(), Is.EqualTo(1), $"{kind}: the good entry still applies");
            var rejected = json.RootElement.GetProperty("rejected").EnumerateArray().ToList();
            Assert.That(rejected, Has.Count.EqualTo(1), kind);
            Assert.That(rejected[0].GetProperty("reason").GetString(), Is.Not.Empty, kind);
        }

        byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
        foreach (var (kind, body) in new[] { ("not json", Utf8("{\"batch\":[")), ("invalid utf-8", [.. Utf8("{\"batch\":[\""), 0xff, .. Utf8("\"]}")]), ("a json array", Utf8("[]")), ("no batch", Utf8("{}")), ("batch an object", Utf8("{\"batch\":{}}")) })
        {
            var (status, answer) = await PostAsync(body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), $"{kind}: {answer}");
        }

        await using var conn = await sample.Db.OpenConnectionAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT description, completed FROM todos WHERE id = 'report'", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        Assert.That(await reader.ReadAsync(ct), Is.True);
        Assert.That((reader.GetString(0), reader.GetInt32(1)), Is.EqualTo(("Quarterly report", 1)), "no bad value reached the row");
    }

    [Test]
    public async Task Outside_development_there_is_no_token_endpoint_and_the_sample_signing_key_is_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using (var settings = JsonDocument.Parse(File.ReadAllText(TodoBackendApp.InAppFolder("appsettings.json"))))
            Assert.That(settings.RootElement.GetProperty("Auth").GetProperty("DevSigningKey").GetString(), Is.EqualTo(DevTokens.SampleSigningKey));

        var refused = Assert.Throws<InvalidOperationException>(() => TodoBackendApp.Build(["--environment", "Production"], builder =>
        {
            builder.Configuration["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Database=unused";
            builder.Logging.ClearProviders();
        }));
        Assert.That(refused!.Message, Does.Contain("Auth:DevSigningKey").And.Contain("Development").And.Contain("'Production'"));

        await using var sample = await Sample.StartAsync(ct, environment: "Production");
        using var http = new HttpClient { BaseAddress = sample.Address };
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { user_id = "alice" }, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no tokens for anyone who asks");
    }

    [Test]
    public async Task Console_client_sessions_sync_own_and_shared_lists_and_a_write_reaches_the_other_user()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var sample = await Sample.StartAsync(ct);
        await using var alice = await TodoSession.OpenAsync(sample.Address, "alice", Path.Combine(sample.Folder, "alice.db"), ct);
        await using var bob = await TodoSession.OpenAsync(sample.Address, "bob", Path.Combine(sample.Folder, "bob.db"), ct);
        await using var carol = await TodoSession.OpenAsync(sample.Address, "carol", Path.Combine(sample.Folder, "carol.db"), ct);
        foreach (var user in new[] { alice, bob, carol })
        {
            await user.ConnectAsync(ct);
            await user.Database.WaitForFirstSyncAsync(cancellationToken: ct);
        }

        Assert.That((await alice.ListsAsync(ct)).Select(l => l.Id), Is.EquivalentTo(new[] { "groceries", "trip" }));
        Assert.That((await bob.ListsAsync(ct)).Select(l => l.Id), Is.EquivalentTo(new[] { "work", "trip" }), "trip is shared with bob through list_members");
        Assert.That(await carol.ListsAsync(ct), Is.Empty);

        var added = await bob.AddTodoAsync("trip", "Sunscreen", ct);
        await alice.CompleteAsync("hotel", ct);
        await foreach (var todos in alice.Database.WatchAsync<Todo>(
            "SELECT id AS Id, list_id AS ListId, description AS Description, completed AS Completed FROM todos", null, ct))
        {
            if (todos.Any(t => t.Id == added)) break;
        }
        await foreach (var todos in bob.Database.WatchAsync<Todo>(
            "SELECT id AS Id, list_id AS ListId, description AS Description, completed AS Completed FROM todos", null, ct))
        {
            if (todos.Any(t => t.Id == "hotel" && t.Completed == 1)) break;
        }
        Assert.That(await sample.Db.ScalarAsync<long>($"SELECT count(*) FROM todos WHERE id = '{added}' AND created_by = 'bob'", ct), Is.EqualTo(1));
        Assert.That(alice.Rejections.Concat(bob.Rejections), Is.Empty);
    }
}
