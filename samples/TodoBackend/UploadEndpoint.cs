using System.Text.Json;
using Npgsql;

namespace TodoBackend;

/// <summary>
/// <c>POST /api/data</c>: a client's queued writes, <c>{"batch":[{"op","table","id","data"}]}</c>, applied
/// in one Postgres transaction, last write wins. An entry that is invalid (see <see cref="UploadEntry"/>)
/// or not allowed is skipped and reported with a 200 (retrying it would never succeed, so the client
/// must not retry it forever); a body that is not JSON, or not a batch, is a 400. Only a failure that
/// may pass (database unavailable) is an error status, and then the client retries the whole batch.
/// </summary>
public static class UploadEndpoint
{
    public sealed record Rejection(string Id, string Reason);

    public static async Task<IResult> HandleAsync(HttpContext context, DevTokens tokens, NpgsqlDataSource db, ILoggerFactory logs)
    {
        var user = await tokens.UserOfAsync(context.Request.Headers.Authorization);
        if (user is null) return Results.Unauthorized();

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        // JSON text is UTF-8 (RFC 8259); the parser itself only checks the bytes of strings it decodes.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            return Results.BadRequest(new { error = "The body is not UTF-8 text." });

        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException e)
        {
            return Results.BadRequest(new { error = "The body is not JSON: " + e.Message });
        }
        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
                return Results.BadRequest(new { error = "Send {\"batch\": [...]}." });

            try
            {
                return await ApplyBatchAsync(db, user, batch, context.RequestAborted);
            }
            catch (NpgsqlException e) when (e.IsTransient || e is not PostgresException)
            {
                // Postgres is down, restarting, or a pooled connection was cut: nothing was committed, and the
                // client retries the whole batch. One line, no stack trace: an outage must not flood the log.
                logs.CreateLogger(typeof(UploadEndpoint)).LogWarning("Upload of {Entries} entries deferred: the database is unavailable ({Reason}).",
                    batch.GetArrayLength(), e.Message);
                return Results.Problem("The database is unavailable; retry the batch.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }
    }

    private static async Task<IResult> ApplyBatchAsync(NpgsqlDataSource db, string user, JsonElement batch, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rejected = new List<Rejection>();
        var applied = 0;
        foreach (var element in batch.EnumerateArray())
        {
            var entry = UploadEntry.Parse(element, out var id, out var reason);
            if (entry is not null) reason = await ApplyAsync(connection, transaction, user, entry, ct);
            if (reason is null) applied++;
            else rejected.Add(new Rejection(id, reason));
        }
        await transaction.CommitAsync(ct);
        return Results.Ok(new { applied, rejected });
    }

    /// <summary>Applies one (well-formed) entry; returns why it was rejected, or null.</summary>
    private static async Task<string?> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string user, UploadEntry entry, CancellationToken ct)
    {
        var (op, table, id) = (entry.Op, entry.Table, entry.Id);

        async Task<int> Run(string sql, params object?[] args)
        {
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            foreach (var arg in args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        string? Text(string name) => entry.Text(name);

        switch (table, op)
        {
            case ("lists", "PUT"):
                if (Text("name") is not { Length: > 0 } name) return "A list needs a name.";
                return await Run("INSERT INTO lists (id, owner_id, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = $3 WHERE lists.owner_id = $2", id, user, name) == 1
                    ? null : "That list belongs to someone else.";
            case ("lists", "PATCH"):
                return await Run("UPDATE lists SET name = coalesce($3, name) WHERE id = $1 AND owner_id = $2", id, user, Text("name")) == 1
                    ? null : "No such list of yours.";
            case ("lists", "DELETE"):
                return await Run("DELETE FROM lists WHERE id = $1 AND owner_id = $2", id, user) == 1 ? null : "No such list of yours.";
            case ("todos", "PUT"):
                if (Text("list_id") is not { } listId || Text("description") is not { Length: > 0 } description) return "A todo needs list_id and description.";
                if (!await CanWriteAsync(connection, tx, user, listId, ct)) return $"List '{listId}' is not yours or shared with you.";
                // An existing todo may only be replaced by someone who may write its current list too.
                if (await TodoExistsAsync(connection, tx, id, ct) && !await TodoWritableAsync(connection, tx, user, id, ct))
                    return "That todo is in a list that is not yours or shared with you.";
                await Run("""
                    INSERT INTO todos (id, list_id, description, completed, created_by) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (id) DO UPDATE SET list_id = $2, description = $3, completed = $4, updated_at = now()
                    """, id, listId, description, entry.Completed() ?? 0, user);
                return null;
            case ("todos", "PATCH"):
                if (!await TodoWritableAsync(connection, tx, user, id, ct)) return "No such todo in your lists.";
                await Run("UPDATE todos SET description = coalesce($2, description), completed = coalesce($3, completed), updated_at = now() WHERE id = $1",
                    id, Text("description"), entry.Completed());
                return null;
            case ("todos", "DELETE"):
                if (!await TodoWritableAsync(connection, tx, user, id, ct)) return "No such todo in your lists.";
                await Run("DELETE FROM todos WHERE id = $1", id);
                return null;
            default:
                return $"Table '{table}' cannot be written by clients.";
        }
    }

    private static async Task<bool> CanWriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string user, string listId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM lists WHERE id = $1 AND owner_id = $2)
                OR EXISTS (SELECT 1 FROM list_members WHERE list_id = $1 AND user_id = $2)
            """, connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = listId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = user });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> TodoExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string todoId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM todos WHERE id = $1)", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = todoId });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> TodoWritableAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string user, string todoId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT list_id FROM todos WHERE id = $1", connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = todoId });
        return await cmd.ExecuteScalarAsync(ct) is string listId && await CanWriteAsync(connection, tx, user, listId, ct);
    }
}
