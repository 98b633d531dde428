namespace TodoClient;

/// <summary>
/// <c>TodoClient &lt;backend-url&gt; &lt;user&gt; smoke</c>: a non-interactive round trip for CI and new platforms. Syncs the
/// user's todos, adds one, syncs now (RequestCheckpointAsync: done once the service's state with the uploaded todo is
/// local) and checks it came back from the service; prints one "smoke: ok" line, or the failure and exit code 1.
/// </summary>
public static class SmokeRun
{
    public static async Task<int> RunAsync(Uri backend, string user, TimeSpan timeout)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "todo-smoke-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            return await RunAsync(backend, user, Path.Combine(folder, "todo.db"), timeout);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> RunAsync(Uri backend, string user, string databasePath, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var ct = cancel.Token;
        await using var session = await TodoSession.OpenAsync(backend, user, databasePath, ct);
        try
        {
            await session.ConnectAsync(ct);
            await session.Database.WaitForFirstSyncAsync(cancellationToken: ct);
            var lists = await session.ListsAsync(ct);
            if (lists.Count == 0) return Fail($"{user} has no list to add a todo to.");
            var description = "smoke " + Guid.NewGuid().ToString("N")[..8];
            var id = await session.AddTodoAsync(lists[0].Id, description, ct);
            await session.Database.RequestCheckpointAsync(ct);
            var synced = await session.Database.GetOptionalAsync<string>("SELECT description FROM todos WHERE id = ?", [id], ct);
            var queued = (await session.Database.GetUploadQueueStatsAsync(cancellationToken: ct)).Count;
            if (synced != description || queued != 0 || session.Rejections.Count > 0)
                return Fail($"the todo did not come back from the service (local: {synced ?? "none"}, still queued: {queued}, rejected: {string.Join("; ", session.Rejections)}).");
            var todos = await session.TodosAsync(ct);
            Console.WriteLine($"smoke: ok: {user} synced {lists.Count} list(s) and {todos.Count} todo(s); todo {id} went up and came back " +
                $"(client built for {AppContext.TargetFrameworkName}, running on {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription})");
            return 0;
        }
        catch (Exception e) when (e is OperationCanceledException or PowerSync.Client.PowerSyncClientException or HttpRequestException)
        {
            return Fail(cancel.IsCancellationRequested ? $"not done within {timeout.TotalSeconds:0} s." : e.Message);
        }
    }

    private static int Fail(string why)
    {
        Console.WriteLine("smoke: failed: " + why);
        return 1;
    }
}
