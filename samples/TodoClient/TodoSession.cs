using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using PowerSync.Client;
using PowerSync.Client.Crud;
using PowerSync.Client.Tables;

namespace TodoClient;

/// <summary>One user's todo app: a local PowerSync database synced from the sample backend.</summary>
public sealed class TodoSession : IAsyncDisposable, IPowerSyncBackendConnector
{
    public static readonly Schema AppSchema = new(
        new Table("lists", [Column.Text("owner_id"), Column.Text("name"), Column.Text("created_at")]),
        new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed"), Column.Text("created_by"), Column.Text("updated_at")]));

    private readonly HttpClient _http;
    private readonly List<string> _rejections = [];

    private TodoSession(PowerSyncDatabase database, HttpClient http, string userId)
    {
        Database = database;
        _http = http;
        UserId = userId;
    }

    public PowerSyncDatabase Database { get; }
    public string UserId { get; }

    /// <summary>Writes the backend refused, with its reason (they are not retried).</summary>
    public IReadOnlyList<string> Rejections { get { lock (_rejections) return [.. _rejections]; } }

    public static async Task<TodoSession> OpenAsync(Uri backend, string userId, string databasePath, CancellationToken ct = default)
    {
        var database = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = databasePath, Schema = AppSchema }, ct);
        return new TodoSession(database, new HttpClient { BaseAddress = backend }, userId);
    }

    /// <summary>
    /// Raised when the backend answered an upload with a success status, before the transaction leaves the
    /// queue: its entries and the ids the backend refused. (The fault-injection suite records acknowledged writes with it.)
    /// </summary>
    public event EventHandler<TodoUploadEventArgs>? Uploaded;

    public Task ConnectAsync(CancellationToken ct = default) => Database.ConnectAsync(this, cancellationToken: ct);

    /// <summary>Connects with <paramref name="options"/> (retry delays, parameters).</summary>
    public Task ConnectAsync(PowerSyncConnectionOptions options, CancellationToken ct = default) => Database.ConnectAsync(this, options, ct);

    public Task DisconnectAsync(CancellationToken ct = default) => Database.DisconnectAsync(ct);

    /// <summary>Waits for the first full sync; false when it did not happen within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForFirstSyncAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Database.WaitForFirstSyncAsync(cancellationToken: cancel.Token);
            return true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Waits until the upload queue is empty; false when it is not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForUploadsAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var pending in Database.WatchAsync<long>("SELECT count(*) FROM ps_crud", null, cancel.Token))
            {
                if (pending[0] == 0) return true;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        return false;
    }

    public Task<IReadOnlyList<TodoList>> ListsAsync(CancellationToken ct = default) =>
        Database.GetAllAsync<TodoList>("SELECT id AS Id, name AS Name, owner_id AS OwnerId FROM lists ORDER BY name", null, ct);

    public Task<IReadOnlyList<Todo>> TodosAsync(CancellationToken ct = default) =>
        Database.GetAllAsync<Todo>("SELECT id AS Id, list_id AS ListId, description AS Description, completed AS Completed FROM todos ORDER BY list_id, description", null, ct);

    public async Task<string> AddTodoAsync(string listId, string description, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N");
        await Database.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed, created_by) VALUES (?, ?, ?, 0, ?)",
            [id, listId, description, UserId], ct);
        return id;
    }

    public Task CompleteAsync(string todoId, CancellationToken ct = default) =>
        Database.ExecuteAsync("UPDATE todos SET completed = 1 WHERE id = ?", [todoId], ct);

    public Task DeleteAsync(string todoId, CancellationToken ct = default) =>
        Database.ExecuteAsync("DELETE FROM todos WHERE id = ?", [todoId], ct);

    async Task<PowerSyncCredentials?> IPowerSyncBackendConnector.FetchCredentialsAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("/api/auth/token", new { user_id = UserId }, ct);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>(ct) ?? throw new InvalidOperationException("Empty token response.");
        return new PowerSyncCredentials(_http.BaseAddress!, token.Token, token.ExpiresAt);
    }

    async Task IPowerSyncBackendConnector.UploadDataAsync(PowerSyncDatabase database, CancellationToken ct)
    {
        var transaction = await database.GetNextCrudTransactionAsync(ct);
        if (transaction is null) return;
        var credentials = await ((IPowerSyncBackendConnector)this).FetchCredentialsAsync(ct);
        var batch = transaction.Entries.Select(e => new
        {
            op = e.Op.ToString().ToUpperInvariant(),
            table = e.Table,
            id = e.Id,
            data = e.Data,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data") { Content = JsonContent.Create(new { batch }) };
        request.Headers.Authorization = new("Bearer", credentials!.Token);
        using var response = await _http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode(); // a failure leaves the transaction queued: the client retries it
        var result = await response.Content.ReadFromJsonAsync<UploadResult>(ct);
        lock (_rejections) _rejections.AddRange(result?.Rejected.Select(r => $"{r.Id}: {r.Reason}") ?? []);
        Uploaded?.Invoke(this, new TodoUploadEventArgs(transaction.Entries, result?.Rejected.Select(r => (r.Id, r.Reason)).ToList() ?? []));
        await transaction.CompleteAsync(cancellationToken: ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        _http.Dispose();
    }

    private sealed record TokenBody([property: JsonPropertyName("token")] string Token, [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

    private sealed record UploadResult([property: JsonPropertyName("applied")] int Applied, [property: JsonPropertyName("rejected")] List<Rejected> Rejected);

    private sealed record Rejected([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("reason")] string Reason);
}

/// <summary>An upload the backend accepted: the transaction's entries and the (id, reason) of each entry it refused.</summary>
public sealed class TodoUploadEventArgs(IReadOnlyList<CrudEntry> entries, IReadOnlyList<(string Id, string Reason)> rejected) : EventArgs
{
    public IReadOnlyList<CrudEntry> Entries { get; } = entries;
    public IReadOnlyList<(string Id, string Reason)> Rejected { get; } = rejected;
}

public sealed record TodoList(string Id, string Name, string OwnerId);

public sealed record Todo(string Id, string ListId, string Description, long Completed);
