using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/getting-started.md (run by <see cref="GettingStartedTests"/>).</summary>
internal static class GettingStartedExamples
{
    /// <summary>PowerSync added to an app being built: the lines the guide asks for.</summary>
    public static WebApplication EmbedPowerSync(WebApplicationBuilder builder)
    {
        // docs:begin getting-started-embed
        builder.Services.AddPowerSync(options =>
        {
            options.SourceConnectionString = builder.Configuration.GetConnectionString("PowerSync");
            options.SyncRulesPath = Path.Combine(builder.Environment.ContentRootPath, "sync-rules.yaml");
            options.StoragePath = Path.Combine(builder.Environment.ContentRootPath, "powersync-buckets.db");
            options.Auth.JwksUris.Add(new Uri(builder.Configuration["Auth:JwksUri"]!));
            options.Auth.Audiences.Add("powersync");
        });
        var app = builder.Build();
        app.MapPowerSync();              // POST /sync/stream, GET /write-checkpoint2.json, POST /sync/checkpoint-request
        app.MapHealthChecks("/health");  // optional: replication and bucket-store state
        // docs:end
        return app;
    }

    /// <summary>The first client: open, connect, wait for the first sync, read.</summary>
    public static async Task<IReadOnlyList<TodoItem>> FirstClientAsync(HttpClient backend, string userId, string databasePath, CancellationToken cancellationToken)
    {
        // docs:begin getting-started-client
        var schema = new Schema(
            new Table("lists", [Column.Text("owner_id"), Column.Text("name")]),
            new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed")]));

        await using var db = await PowerSyncDatabase.OpenAsync(
            new PowerSyncDatabaseOptions { DatabasePath = databasePath, Schema = schema }, cancellationToken);
        await db.ConnectAsync(new BackendConnector(backend, userId), cancellationToken: cancellationToken);
        await db.WaitForFirstSyncAsync(cancellationToken: cancellationToken);

        var todos = await db.GetAllAsync<TodoItem>(
            "SELECT id, description, completed FROM todos ORDER BY description", cancellationToken: cancellationToken);
        foreach (var todo in todos)
            Console.WriteLine($"[{(todo.Completed == 1 ? 'x' : ' ')}] {todo.Description}");
        // docs:end
        return todos;
    }
}

// docs:begin getting-started-row
sealed record TodoItem(string Id, string Description, long Completed);
// docs:end

// docs:begin getting-started-connector
/// <summary>The app's link to its own backend: a token for PowerSync, and the upload of local writes.</summary>
sealed class BackendConnector(HttpClient backend, string userId) : IPowerSyncBackendConnector
{
    public async Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken)
    {
        using var response = await backend.PostAsJsonAsync("/api/auth/token", new { user_id = userId }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("The backend sent no token.");
        // PowerSync is served by the same app, so the sync endpoint is the backend's address.
        return new PowerSyncCredentials(backend.BaseAddress!, token.Token, token.ExpiresAt);
    }

    public async Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken)
    {
        while (await database.GetNextCrudTransactionAsync(cancellationToken) is { } transaction)
        {
            var credentials = await FetchCredentialsAsync(cancellationToken);
            var batch = transaction.Entries.Select(e => new { op = e.Op.ToString().ToUpperInvariant(), table = e.Table, id = e.Id, data = e.Data });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data") { Content = JsonContent.Create(new { batch }) };
            request.Headers.Authorization = new("Bearer", credentials!.Token);
            using var response = await backend.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();   // throwing keeps the transaction queued: the client retries with backoff
            await transaction.CompleteAsync(cancellationToken: cancellationToken);
        }
    }
}

sealed record TokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);
// docs:end
