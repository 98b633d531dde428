using Npgsql;

namespace TodoBackend;

/// <summary>
/// The todos a user's clients hold once synced, read straight from Postgres: what sync-rules.yaml gives that
/// user (the lists they own and the lists shared with them). The demo and the fault-injection suite compare
/// clients with it.
/// </summary>
public static class VisibleTodos
{
    /// <summary>The user's todos, ordered by id (ordinal).</summary>
    public static async Task<IReadOnlyList<VisibleTodo>> ReadAsync(NpgsqlConnection connection, string userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand("""
            SELECT t.id, t.list_id, t.description, t.completed FROM todos t JOIN lists l ON l.id = t.list_id
            WHERE l.owner_id = $1 OR EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = l.id AND m.user_id = $1)
            ORDER BY t.id COLLATE "C"
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var todos = new List<VisibleTodo>();
        while (await reader.ReadAsync(ct)) todos.Add(new VisibleTodo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        return todos;
    }
}

/// <summary>A todo as its user's clients hold it.</summary>
public sealed record VisibleTodo(string Id, string ListId, string Description, long Completed);
