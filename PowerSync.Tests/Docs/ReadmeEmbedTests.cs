using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Docs;

/// <summary>
/// The README's embedding lines in an ASP.NET app, on the Postgres set-up of docs/getting-started.md (its SQL
/// and sync rules), with keys from a JWKS URI: a client gets its user's rows, and /health answers JSON.
/// </summary>
public sealed class ReadmeEmbedTests
{
    private const string Guide = "getting-started.md";

    [Test]
    public async Task The_readme_s_lines_embed_powersync_so_a_client_syncs_its_user_s_rows_and_health_answers_json()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(DocSnippetTests.DocTestedBlock(Guide, "getting-started-tables"), ct);
        await db.ExecuteAsync("CREATE PUBLICATION powersync FOR TABLE lists, todos", ct);
        var key = TestKey.Rsa("readme-key");   // keys from a JWKS URI must be asymmetric: remote HS keys are ignored
        await using var jwks = new JwksServer();
        jwks.Serve(TestKey.Set(key));

        await using var app = await LoopbackHost.StartAsync(builder =>
        {
            File.WriteAllText(Path.Combine(builder.Environment.ContentRootPath, "sync-rules.yaml"), DocSnippetTests.DocTestedBlock(Guide, "getting-started-sync-rules"));
            // The README's appsettings.json, with this test's database and JWKS server in place of the examples.
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(DocSnippetTests.ReadmeTestedBlock("readme-appsettings"))));
            builder.Configuration["ConnectionStrings:PowerSync"] = db.ConnectionString;
            builder.Configuration["PowerSync:Auth:JwksUris:0"] = jwks.Uri.ToString();
            return ReadmeExamples.EmbedPowerSync(builder);
        });
        await using var client = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = Path.Combine(app.Folder, "alice.db"),
            Schema = new Schema(new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed")])),
        }, ct);
        await client.ConnectAsync(new TokenConnector(app.Address, key.Token(TestKey.Claims(DateTimeOffset.UtcNow, "alice"))), cancellationToken: ct);
        await client.WaitForFirstSyncAsync(cancellationToken: ct);
        var todos = await client.GetAllAsync<string>("SELECT description FROM todos ORDER BY description", cancellationToken: ct);
        await client.DisconnectAsync(ct);

        using var health = JsonDocument.Parse(await app.Client.GetStringAsync("/health", ct));

        Assert.That(todos, Is.EqualTo(new[] { "Bread", "Milk" }), "alice gets the todos of her list, not bob's");
        Assert.That(health.RootElement.GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(health.RootElement.GetProperty("checks").GetProperty("powersync").GetProperty("data").GetProperty("sync_rules_version").GetInt64(), Is.EqualTo(1));
    }

    private sealed class TokenConnector(Uri endpoint, string token) : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
