using System.Globalization;
using Npgsql;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// Writes straight into Postgres (not through the backend), as another application would: inserts, updates
/// to the next version and deletes of its own todos (<c>pg-n</c>) in every list. A commit that returned is
/// acknowledged (<c>ACK</c> in the journal); a failure (Postgres restarting) skips the tick.
/// </summary>
internal sealed class PostgresWriter(string connectionString, int seed, ChaosJournal journal) : IAsyncDisposable
{
    private readonly Random _random = new(HashCode.Combine(seed, ChaosRows.PostgresWriter));
    private readonly List<string> _own = [];
    private CancellationTokenSource? _running;
    private Task _loop = Task.CompletedTask;
    private int _next;

    public void Resume()
    {
        if (_running is not null) return;
        _running = new CancellationTokenSource();
        _loop = RunAsync(_running.Token);
    }

    /// <summary>Stops writing; returns once no transaction is in flight.</summary>
    public async Task PauseAsync()
    {
        if (_running is null) return;
        await _running.CancelAsync();
        await _loop;
        _running.Dispose();
        _running = null;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await WriteAsync();
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
                {
                    journal.Note(ChaosRows.PostgresWriter, "write failed: " + ex.Message.ReplaceLineEndings(" "));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One transaction, never cancelled once begun (so a pause knows its outcome).</summary>
    private async Task WriteAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ct = timeout.Token;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var roll = _random.Next(100);
        string line;
        Action commit;
        if (_own.Count < 3 || roll < 35)
        {
            var id = "pg-" + (_next++).ToString(CultureInfo.InvariantCulture); // never reused, even when the outcome is unknown
            var list = ChaosRows.AllLists[_random.Next(ChaosRows.AllLists.Count)];
            await ExecuteAsync(connection, tx, "INSERT INTO todos (id, list_id, description, completed, created_by) VALUES ($1, $2, $3, 1, 'pg')", ct, id, list, ChaosRows.Description(1));
            line = ChaosRows.Token(id, 1);
            commit = () => _own.Add(id);
        }
        else if (roll < 45)
        {
            var pick = _own[_random.Next(_own.Count)];
            await ExecuteAsync(connection, tx, "DELETE FROM todos WHERE id = $1", ct, pick);
            line = ChaosRows.Token(pick, -1);
            commit = () => _own.Remove(pick);
        }
        else
        {
            var pick = _own[_random.Next(_own.Count)];
            await using var cmd = new NpgsqlCommand("""
                UPDATE todos SET description = 'v' || (substr(description, 2)::bigint + 1), completed = (substr(description, 2)::bigint + 1) % 2,
                    updated_at = now() WHERE id = $1 RETURNING description
                """, connection, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = pick });
            if (await cmd.ExecuteScalarAsync(ct) is not string description)
            {
                _own.Remove(pick); // a delete whose commit was not confirmed did happen
                return;
            }
            line = ChaosRows.Token(pick, ChaosRows.Version(description));
            commit = () => { };
        }
        await tx.CommitAsync(ct);
        commit();
        journal.Observe(ChaosRows.PostgresWriter, "ACK " + line);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var arg in args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync() => await PauseAsync();
}
