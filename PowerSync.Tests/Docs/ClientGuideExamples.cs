using System.Net.Http.Json;
using PowerSync.Client;
using PowerSync.Client.Crud;
using PowerSync.Client.Status;
using PowerSync.Client.Tables;
using PowerSync.Client.Watch;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/client.md (run by <see cref="ClientGuideTests"/>).</summary>
internal static class ClientGuideExamples
{
    public static async Task<PowerSyncDatabase> OpenAsync(string databasePath, CancellationToken cancellationToken)
    {
        // docs:begin client-open
        var schema = new Schema(
            new Table("lists", [Column.Text("name"), Column.Text("owner_id")]),
            new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed"), Column.Real("rank")],
                indexes: [new TableIndex("by_list", "list_id")]));

        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = databasePath,   // one SQLite file (WAL mode); created when missing
            Schema = schema,
            ReadPoolSize = 4,              // concurrent readers beside the one writer
        }, cancellationToken);
        // docs:end
        return db;
    }

    public static Schema TableOptionsSchema()
    {
        // docs:begin client-table-options
        var schema = new Schema(
            // Upload entries carry the old value of 'completed' when it changed; no-op updates are not queued.
            new Table("todos", [Column.Text("list_id"), Column.Text("description"), Column.Integer("completed")],
                new TableOptions { TrackPreviousValues = new TrackPreviousValues(["completed"], OnlyWhenChanged: true), IgnoreEmptyUpdates = true }),
            // Kept on this device only: never synced, never uploaded.
            new Table("drafts", [Column.Text("body")], new TableOptions { LocalOnly = true }),
            // Uploaded, never stored locally: for logs and events.
            new Table("events", [Column.Text("kind"), Column.Text("payload")], new TableOptions { InsertOnly = true }),
            // Queried as 'my_notes'; writes may set '_metadata', which is sent with the upload entry.
            new Table("notes", [Column.Text("body")], new TableOptions { ViewName = "my_notes", TrackMetadata = true }));
        // docs:end
        return schema;
    }

    public static async Task<(IReadOnlyList<TodoRow> Todos, long Open, Dictionary<string, object?>? List)> QueriesAsync(
        PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        // docs:begin client-queries
        await db.ExecuteAsync("INSERT INTO lists (id, name, owner_id) VALUES (uuid(), ?, ?)", ["Groceries", "alice"], cancellationToken);
        var listId = await db.GetAsync<string>("SELECT id FROM lists WHERE name = ?", ["Groceries"], cancellationToken);
        await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed) VALUES (uuid(), ?, ?, 0)", [listId, "Milk"], cancellationToken);

        IReadOnlyList<TodoRow> todos = await db.GetAllAsync<TodoRow>("SELECT * FROM todos WHERE list_id = ?", [listId], cancellationToken);
        long open = await db.GetAsync<long>("SELECT count(*) FROM todos WHERE completed = 0", cancellationToken: cancellationToken);
        var list = await db.GetOptionalAsync<Dictionary<string, object?>>("SELECT * FROM lists WHERE id = ?", [listId], cancellationToken);
        // docs:end
        return (todos, open, list);
    }

    public static async Task BatchAsync(PowerSyncDatabase db, string listId, CancellationToken cancellationToken)
    {
        // docs:begin client-batch
        await db.ExecuteBatchAsync("INSERT INTO todos (id, list_id, description, completed) VALUES (uuid(), ?, ?, 0)",
            [[listId, "Eggs"], [listId, "Flour"], [listId, "Sugar"]], cancellationToken);
        // docs:end
    }

    /// <summary>Returns once a change to 'lists' was reported.</summary>
    public static async Task WatchChangesAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        // docs:begin client-watch-changes
        await foreach (var changed in db.WatchChangesAsync(["todos", "lists"], new WatchOptions { Throttle = TimeSpan.FromMilliseconds(200) }, cancellationToken))
        {
            Console.WriteLine($"changed: {string.Join(", ", changed.Tables)}");   // e.g. "todos": refresh the screens that show them
            if (changed.Tables.Contains("lists")) break;
        }
        // docs:end
    }

    public static async Task<UploadQueueStats> UploadStatsAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        // docs:begin client-upload-stats
        var queue = await db.GetUploadQueueStatsAsync(includeSize: true, cancellationToken);
        Console.WriteLine($"{queue.Count} change(s) waiting for upload ({queue.SizeBytes} bytes)");
        // docs:end
        return queue;
    }

    public static async Task<int> TransactionsAsync(PowerSyncDatabase db, string listId, CancellationToken cancellationToken)
    {
        // docs:begin client-transactions
        // All or nothing: committed when the delegate returns, rolled back when it throws.
        await db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("UPDATE todos SET completed = 1 WHERE list_id = ?", [listId], ct);
            await tx.ExecuteAsync("DELETE FROM todos WHERE list_id = ? AND description = ''", [listId], ct);
        }, cancellationToken);

        // A consistent snapshot across several queries, without blocking the writer.
        var (done, total) = await db.ReadTransactionAsync(async (tx, ct) =>
            (await tx.GetAsync<long>("SELECT count(*) FROM todos WHERE completed = 1", null, ct),
             await tx.GetAsync<long>("SELECT count(*) FROM todos", null, ct)), cancellationToken);
        // docs:end
        return (int)(total - done);
    }

    public static async Task<List<long>> WatchAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        var seen = new List<long>();
        // docs:begin client-watch
        await foreach (var result in db.WatchAsync<long>("SELECT count(*) FROM todos WHERE completed = 0", cancellationToken: cancellationToken))
        {
            var open = result[0];   // the current result first, then again after each change to 'todos'
            Console.WriteLine($"{open} open todo(s)");
            seen.Add(open);
            if (open == 0) break;
        }
        // docs:end
        return seen;
    }

    public static async Task ConnectAsync(PowerSyncDatabase db, IPowerSyncBackendConnector connector, CancellationToken cancellationToken)
    {
        // docs:begin client-connect
        await db.ConnectAsync(connector, new PowerSyncConnectionOptions
        {
            Parameters = new Dictionary<string, object?> { ["region"] = "eu" },   // request.parameters() in the sync rules
            RetryDelay = TimeSpan.FromSeconds(1),       // first reconnect/upload retry; doubles up to MaxRetryDelay
            MaxRetryDelay = TimeSpan.FromSeconds(60),
            AppMetadata = new Dictionary<string, string> { ["app_version"] = "1.4.2" },   // for the service's logs
            CheckpointMode = CheckpointMode.Requests,   // the default; Legacy for write-checkpoint2 only
        }, cancellationToken);                          // returns at once: syncing runs in the background
        await db.WaitForFirstSyncAsync(cancellationToken: cancellationToken);
        // docs:end
    }

    public static async Task FirstSyncAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        // docs:begin client-first-sync-errors
        try
        {
            await db.WaitForFirstSyncAsync(cancellationToken: cancellationToken);
        }
        catch (PowerSyncClientException e) when (e.Code == ClientErrorCodes.Unauthorized)
        {
            Console.WriteLine($"sign in again: {e.Message}");   // then ConnectAsync again with a signed-in connector
        }
        // docs:end
    }

    public static async Task<long> SyncNowAsync(PowerSyncDatabase db, string todoId, CancellationToken cancellationToken)
    {
        // docs:begin client-sync-now
        await db.ExecuteAsync("UPDATE todos SET completed = 1 WHERE id = ?", [todoId], cancellationToken);
        await db.RequestCheckpointAsync(cancellationToken);   // uploaded, and whatever the backend made of it is local now
        var completed = await db.GetAsync<long>("SELECT completed FROM todos WHERE id = ?", [todoId], cancellationToken);
        // docs:end
        return completed;
    }

    public static void Events(PowerSyncDatabase db)
    {
        // docs:begin client-events
        db.StatusChanged += (_, e) =>
        {
            if (e.Status.DownloadProgress is { } progress)
                Console.WriteLine($"lists {progress.UntilPriority(1).DownloadedFraction:P0}, everything {progress.DownloadedFraction:P0}");
        };
        db.SchemaChanged += (_, e) => Console.WriteLine($"schema now has {e.Schema.Tables.Count} tables");
        db.Closed += (_, _) => Console.WriteLine("database closed");
        // docs:end
    }

    public static async Task<SyncStatus> StatusAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        var last = db.CurrentStatus;
        // docs:begin client-status
        var now = db.CurrentStatus;
        Console.WriteLine($"connected: {now.Connected}, synced: {now.HasSynced} at {now.LastSyncedAt}");

        await foreach (var status in db.WatchStatusAsync(cancellationToken))   // the current status, then every change
        {
            if (status.DownloadProgress is { } progress)
                Console.WriteLine($"downloading: {progress.DownloadedOperations}/{progress.TotalOperations} ops ({progress.DownloadedFraction:P0})");
            if ((status.DownloadError ?? status.UploadError) is { } error)
                Console.WriteLine($"sync problem (retrying): {error.Message}");
            if (status is { HasSynced: true, Downloading: false, Uploading: false })
            {
                last = status;
                break;
            }
        }
        // docs:end
        return last;
    }

    public static async Task<IReadOnlyList<string>> PrioritiesAsync(PowerSyncDatabase db, CancellationToken cancellationToken)
    {
        // docs:begin client-priorities
        // Buckets of priority 0 or 1 are complete: show the lists before the todos have arrived.
        await db.WaitForFirstSyncAsync(priority: 1, cancellationToken: cancellationToken);
        var names = await db.GetAllAsync<string>("SELECT name FROM lists ORDER BY name", cancellationToken: cancellationToken);
        var state = db.CurrentStatus.StatusForPriority(1);   // SyncPriorityStatus(Priority, LastSyncedAt, HasSynced)
        // docs:end
        return state.HasSynced ? names : throw new InvalidOperationException("Priority 1 is not synced.");
    }

    public static async Task<IReadOnlyList<string>> StreamsAsync(PowerSyncDatabase db, string listId, CancellationToken cancellationToken)
    {
        // docs:begin client-streams
        // Sync the todos of one list while the screen shows it (stream list_todos, subscription.parameter('list')).
        var subscription = await db.SyncStream("list_todos", new Dictionary<string, object?> { ["list"] = listId })
            .SubscribeAsync(ttl: TimeSpan.FromHours(1), priority: 1, cancellationToken: cancellationToken);
        await subscription.WaitForFirstSyncAsync(cancellationToken);   // its rows are in the local tables now
        var todos = await db.GetAllAsync<string>("SELECT description FROM todos WHERE list_id = ?", [listId], cancellationToken);
        var stream = db.CurrentStatus.ForStream("list_todos", subscription.Parameters);
        // stream: Active, IsDefault, HasExplicitSubscription, ExpiresAt, HasSynced, LastSyncedAt, Priority, Progress, Error

        await subscription.UnsubscribeAsync();   // leaving the screen: the subscription expires an hour from now
        // docs:end
        return stream?.HasSynced == true ? todos : throw new InvalidOperationException("The stream did not sync.");
    }

    public static async Task SignOutAsync(PowerSyncDatabase db, Schema newSchema, CancellationToken cancellationToken)
    {
        // docs:begin client-disconnect
        await db.DisconnectAsync(cancellationToken);                          // stop syncing; data and queued writes stay
        await db.UpdateSchemaAsync(newSchema, cancellationToken);             // only while disconnected; no migration needed
        await db.DisconnectAndClearAsync(clearLocal: true, cancellationToken); // sign-out: delete synced data, the queue, local-only tables
        // docs:end
    }
}

// docs:begin client-row
sealed record TodoRow(string Id, string ListId, string Description, long Completed, double? Rank);
// docs:end

// docs:begin client-connector
/// <summary>Uploads queued writes entry by entry to a REST backend, up to 100 at a time.</summary>
sealed class RestConnector(Uri powerSyncEndpoint, Func<CancellationToken, Task<string>> getToken, HttpClient backend) : IPowerSyncBackendConnector
{
    public async Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
        new PowerSyncCredentials(powerSyncEndpoint, await getToken(cancellationToken));

    public async Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken)
    {
        while (await database.GetCrudBatchAsync(100, cancellationToken) is { } batch)
        {
            foreach (var entry in batch.Entries)
            {
                var path = $"/api/{entry.Table}/{entry.Id}";
                using var response = entry.Op switch
                {
                    UpdateType.Put => await backend.PutAsJsonAsync(path, entry.Data, cancellationToken),       // insert or replace
                    UpdateType.Patch => await backend.PatchAsJsonAsync(path, entry.Data, cancellationToken),   // changed columns only
                    UpdateType.Delete => await backend.DeleteAsync(path, cancellationToken),
                    _ => throw new InvalidOperationException($"Unknown operation {entry.Op}."),
                };
                response.EnsureSuccessStatusCode();   // throwing leaves the batch queued; it is retried with backoff
            }
            await batch.CompleteAsync(cancellationToken: cancellationToken);
        }
    }
}
// docs:end
