using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Docs;

/// <summary>
/// docs/getting-started.md, followed step by step: its SQL on a fresh database, its sync rules, its
/// embedding code in an ASP.NET app, and its first client and connector against that app.
/// </summary>
public sealed class GettingStartedTests
{
    [Test]
    public async Task The_guide_s_setup_embedding_and_first_client_sync_a_user_s_rows_and_upload_a_write()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var db = await TestPostgres.CreateDatabaseAsync();
        // The guide's role name is cluster-wide: a per-test name keeps parallel runs apart.
        var role = "powersync_role_" + Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateTempSubdirectory("powersync-guide-").FullName;
        try
        {
            await db.ExecuteAsync(DocSnippetTests.DocTestedBlock("getting-started.md", "getting-started-tables"), ct);
            await db.ExecuteAsync(DocSnippetTests.DocTestedBlock("getting-started.md", "getting-started-replication").Replace("powersync_role", role, StringComparison.Ordinal), ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "sync-rules.yaml"), DocSnippetTests.DocTestedBlock("getting-started.md", "getting-started-sync-rules"), ct);
            var key = TestKey.Rsa("guide-key");   // keys from a JWKS URI must be asymmetric: remote HS keys are ignored
            await using var jwks = new JwksServer();
            jwks.Serve(TestKey.Set(key));

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Configuration["ConnectionStrings:PowerSync"] = new NpgsqlConnectionStringBuilder(db.ConnectionString)
            {
                Username = role,
                Password = "choose-a-secret",
            }.ConnectionString;
            builder.Configuration["Auth:JwksUri"] = jwks.Uri.ToString();

            var app = GettingStartedExamples.EmbedPowerSync(builder);
            // The app's own endpoints the connector talks to, standing in for samples/TodoBackend.
            var uploads = new ConcurrentQueue<(string? Authorization, string Body)>();
            app.MapPost("/api/auth/token", (TokenRequest request) =>
                Results.Ok(new { token = key.Token(TestKey.Claims(DateTimeOffset.UtcNow, request.UserId)), expires_at = DateTimeOffset.UtcNow.AddHours(1) }));
            app.MapPost("/api/data", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                uploads.Enqueue((request.Headers.Authorization, await reader.ReadToEndAsync()));
                return Results.Ok(new { applied = 1, rejected = Array.Empty<object>() });
            });
            await app.StartAsync(ct);
            try
            {
                using var backend = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

                var todos = await GettingStartedExamples.FirstClientAsync(backend, "alice", Path.Combine(folder, "alice.db"), ct);
                Assert.That(todos, Is.EqualTo(new[] { new TodoItem("bread", "Bread", 1), new TodoItem("milk", "Milk", 0) }),
                    "alice gets the todos of her list, not bob's");

                using (var health = await backend.GetAsync("/health", ct))
                    Assert.That(await health.Content.ReadAsStringAsync(ct), Is.EqualTo("Healthy"));

                // The connector uploads a local write to the app's endpoint, then the queue is empty.
                await using var client = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
                {
                    DatabasePath = Path.Combine(folder, "alice.db"),
                    Schema = new Schema(
                        new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed")])),
                }, ct);
                await client.ConnectAsync(new BackendConnector(backend, "alice"), cancellationToken: ct);
                await client.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed) VALUES ('eggs', 'groceries', 'Eggs', 0)", cancellationToken: ct);
                // The upload (and its completion) happens inside one Uploading phase.
                await client.WaitForStatusAsync(s => !s.Uploading && uploads.Any(u => u.Body.Contains("Eggs", StringComparison.Ordinal)), ct);
                Assert.That(await client.GetUploadQueueCountAsync(ct), Is.Zero, "the uploaded transaction was completed");
                var (authorization, body) = uploads.Single(u => u.Body.Contains("Eggs", StringComparison.Ordinal));
                Assert.That(authorization, Does.StartWith("Bearer ey"));
                using var json = JsonDocument.Parse(body);
                var entry = json.RootElement.GetProperty("batch")[0];
                Assert.That(entry.GetProperty("op").GetString(), Is.EqualTo("PUT"));
                Assert.That(entry.GetProperty("table").GetString(), Is.EqualTo("todos"));
                Assert.That(entry.GetProperty("id").GetString(), Is.EqualTo("eggs"));
                Assert.That(entry.GetProperty("data").GetProperty("list_id").GetString(), Is.EqualTo("groceries"));
                await client.DisconnectAsync(ct);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            await db.DisposeAsync();
            await using var admin = new NpgsqlConnection((await TestPostgres.ServerAsync()).AdminConnectionString);
            await admin.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private sealed record TokenRequest([property: System.Text.Json.Serialization.JsonPropertyName("user_id")] string UserId);
}
