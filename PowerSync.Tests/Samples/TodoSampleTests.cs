using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
        private Sample(TestDatabase db, WebApplication app, string folder)
        {
            Db = db;
            App = app;
            Folder = folder;
        }

        public TestDatabase Db { get; }
        public WebApplication App { get; }
        public string Folder { get; }
        public Uri Address => new(App.Urls.First());

        public static async Task<Sample> StartAsync(CancellationToken ct)
        {
            var db = await TestPostgres.CreateDatabaseAsync();
            await db.ExecuteAsync(File.ReadAllText(TodoBackendApp.InAppFolder("schema.sql")) + File.ReadAllText(TodoBackendApp.InAppFolder("seed.sql")), ct);
            var folder = Directory.CreateTempSubdirectory("powersync-sample-").FullName;
            var app = TodoBackendApp.Build([], builder =>
            {
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Configuration["ConnectionStrings:Postgres"] = db.ConnectionString;
                builder.Configuration["PowerSync:StoragePath"] = Path.Combine(folder, "buckets.db");
                builder.Configuration["Auth:DevSigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                builder.Logging.ClearProviders();
            });
            await app.StartAsync(ct);
            return new Sample(db, app, folder);
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
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Folder, recursive: true);
            await Db.DisposeAsync();
        }
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
