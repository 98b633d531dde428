using TodoClient;

// A console todo app on PowerSync.Client: dotnet run --project samples/TodoClient -- <backend-url> <user> [smoke]
if (args.Length < 2 || (args.Length > 2 && args[2] != "smoke"))
{
    Console.Error.WriteLine("Usage: TodoClient <backend-url> <user-id> [smoke]   (e.g. http://127.0.0.1:5080 alice)");
    return 2;
}
if (args.Length == 3)
    return await SmokeRun.RunAsync(new Uri(args[0]), args[1], TimeSpan.FromSeconds(60));
await using var session = await TodoSession.OpenAsync(new Uri(args[0]), args[1], $"todo-{args[1]}.db");
await session.ConnectAsync();
Console.WriteLine($"Syncing {args[1]}'s todos from {args[0]} ...");
if (await session.WaitForFirstSyncAsync(TimeSpan.FromSeconds(30)))
    Console.WriteLine("Synced.");
else
    Console.WriteLine("Not synced yet (is the backend running?): local data is shown, and changes sync once it is reachable.");
Console.WriteLine("Commands: lists | todos | add <list-id> <text> | done <todo-id> | rm <todo-id> | status | quit");
while (Console.ReadLine() is { } line && line.Trim() != "quit")
{
    var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
    if (parts.Length == 0) continue;
    switch (parts[0])
    {
        case "lists":
            foreach (var l in await session.ListsAsync()) Console.WriteLine($"{l.Id,-12} {l.Name} (owner {l.OwnerId})");
            break;
        case "todos":
            foreach (var t in await session.TodosAsync()) Console.WriteLine($"{t.Id,-34} [{(t.Completed == 1 ? 'x' : ' ')}] {t.ListId}: {t.Description}");
            break;
        case "add" when parts.Length == 3:
            Console.WriteLine("added " + await session.AddTodoAsync(parts[1], parts[2]));
            break;
        case "done" when parts.Length == 2:
            await session.CompleteAsync(parts[1]);
            break;
        case "rm" when parts.Length == 2:
            await session.DeleteAsync(parts[1]);
            break;
        case "status":
            var s = session.Database.CurrentStatus;
            Console.WriteLine($"connected={s.Connected} downloading={s.Downloading} uploading={s.Uploading} hasSynced={s.HasSynced} lastSyncedAt={s.LastSyncedAt} pendingUploads={(await session.Database.GetUploadQueueStatsAsync()).Count}");
            foreach (var r in session.Rejections) Console.WriteLine("rejected by the backend: " + r);
            break;
        default:
            Console.WriteLine("?");
            break;
    }
}
// Queued writes survive a restart, but give them a moment to reach the backend before leaving.
if (!await session.WaitForUploadsAsync(TimeSpan.FromSeconds(10)))
    Console.WriteLine($"{(await session.Database.GetUploadQueueStatsAsync()).Count} change(s) not uploaded yet; they are sent next time.");
return 0;
