using PowerSync.Tests.Infrastructure.Postgres;
using TodoBackend;
using TodoClient;

namespace Demo;

/// <summary>Waiting for what the demo shows, without polling: client queries are watched.</summary>
internal static class Scenario
{
    public static async Task UntilAsync(TodoSession session, Func<IReadOnlyList<Todo>, bool> condition, CancellationToken ct)
    {
        await foreach (var todos in session.Database.WatchAsync<Todo>(
            "SELECT id AS Id, list_id AS ListId, description AS Description, completed AS Completed FROM todos", null, ct))
        {
            if (condition(todos)) return;
        }
    }

    public static async Task UploadedAsync(TodoSession session, CancellationToken ct)
    {
        await foreach (var pending in session.Database.WatchAsync<long>("SELECT count(*) FROM ps_crud", null, ct))
        {
            if (pending[0] == 0) return;
        }
    }

    /// <summary>Null when the client's todos equal the ones the user may see in Postgres (own and shared lists); else the difference.</summary>
    public static async Task<string?> ConvergedAsync(TestDatabase db, TodoSession session, CancellationToken ct)
    {
        IReadOnlyList<VisibleTodo> visible;
        await using (var connection = await db.OpenConnectionAsync(ct))
            visible = await VisibleTodos.ReadAsync(connection, session.UserId, ct);
        var expected = visible.Select(t => $"{t.Id} '{t.Description}' {t.Completed}").ToList();
        var actual = (await session.TodosAsync(ct)).Select(t => $"{t.Id} '{t.Description}' {t.Completed}").ToList();
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        return missing.Count == 0 && extra.Count == 0 ? null : $"missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]";
    }

    public static async Task PrintAsync(string title, IEnumerable<TodoSession> sessions, CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine(title + ":");
        foreach (var session in sessions)
        {
            var lists = await session.ListsAsync(ct);
            var todos = await session.TodosAsync(ct);
            Console.WriteLine($"  {session.UserId,-6} {lists.Count} list(s): {string.Join(", ", lists.Select(l => l.Name))}");
            foreach (var t in todos) Console.WriteLine($"           [{(t.Completed == 1 ? 'x' : ' ')}] {t.ListId}: {t.Description}");
        }
        Console.WriteLine();
    }
}
