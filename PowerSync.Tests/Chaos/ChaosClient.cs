using System.Globalization;
using System.Text;
using PowerSync.Client;
using PowerSync.Client.Crud;
using TodoClient;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// The <c>chaos-client</c> child process: the sample's <see cref="TodoSession"/> on a database file, synced
/// from a backend URL, writing its own todos (insert, update to the next version, delete) while told to, and
/// reporting on stdout, one line each, what <see cref="ChaosChecker"/> reads: local writes (<c>W</c>),
/// uploads the backend answered 2xx (<c>ACK</c>) or refused (<c>REJ</c>), every read of its todos (<c>FULL</c>,
/// then <c>DIFF</c>), the upload queue's length (<c>PENDING</c>) and sync errors (<c>ERR</c>). Every line ends
/// with <see cref="EndOfLine"/>, so a line cut short by a kill is recognised and dropped.
/// Commands on stdin: <c>resume</c> starts writing, <c>pause</c> stops it (answered <c>PAUSED</c> once no
/// write is in flight).
/// </summary>
internal static class ChaosClient
{
    /// <summary>The last token of every complete line.</summary>
    public const string EndOfLine = "$";

    /// <summary>Delays fit for a 30 s convergence bound (the official SDKs retry every 5 s; ours doubles up to 60 s by default).</summary>
    public static readonly PowerSyncConnectionOptions ConnectionOptions = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(250),
        MaxRetryDelay = TimeSpan.FromSeconds(5),
        CrudUploadThrottle = TimeSpan.FromMilliseconds(100),
    };

    private static readonly object StdoutGate = new();

    /// <summary>Arguments: database path, backend URL, user id, client index, incarnation (restarts so far), seed.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (path, backend, user) = (args[0], new Uri(args[1]), args[2]);
        var client = int.Parse(args[3], CultureInfo.InvariantCulture);
        var incarnation = int.Parse(args[4], CultureInfo.InvariantCulture);
        var seed = int.Parse(args[5], CultureInfo.InvariantCulture);
        using var stop = new CancellationTokenSource();
        await using var session = await TodoSession.OpenAsync(backend, user, path, stop.Token);
        session.Uploaded += (_, e) => ReportUpload(e);
        var reads = ReportReadsAsync(session, stop.Token);
        var pending = ReportPendingAsync(session, stop.Token);
        var errors = ReportErrorsAsync(session, stop.Token);
        await session.ConnectAsync(ConnectionOptions, stop.Token);
        var writer = new Writer(session, $"c{client}-{incarnation}-", new Random(HashCode.Combine(seed, client, incarnation)), user);
        await writer.LoadAsync(stop.Token);
        Say("OPEN");

        var writing = Task.CompletedTask;
        using var writeStop = new CancellationTokenSource();
        CancellationTokenSource? current = null;
        while (await Console.In.ReadLineAsync(stop.Token) is { } command)
        {
            switch (command.Trim())
            {
                case "resume" when current is null:
                    current = new CancellationTokenSource();
                    writing = writer.RunAsync(current.Token);
                    break;
                case "pause":
                    if (current is not null)
                    {
                        await current.CancelAsync();
                        await writing;
                        current.Dispose();
                        current = null;
                    }
                    Say("PAUSED");
                    break;
            }
        }
        await stop.CancelAsync();
        await Task.WhenAll(reads, pending, errors).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    /// <summary>Writes one line (with its end mark) on stdout at once.</summary>
    public static void Say(string line)
    {
        lock (StdoutGate)
        {
            Console.Out.Write(line + " " + EndOfLine + "\n");
            Console.Out.Flush();
        }
    }

    private static void ReportUpload(TodoUploadEventArgs upload)
    {
        var refused = upload.Rejected.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var acked = new StringBuilder("ACK");
        foreach (var entry in upload.Entries.Where(e => !refused.Contains(e.Id)))
        {
            var version = entry.Op == UpdateType.Delete ? -1
                : entry.Data is { } data && data.TryGetValue("description", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String ? ChaosRows.Version(d.GetString()!) : -2;
            if (version >= -1) acked.Append(' ').Append(ChaosRows.Token(entry.Id, version));
        }
        Say(acked.ToString());
        foreach (var (id, reason) in upload.Rejected) Say($"REJ {id} {reason.Replace('\n', ' ')}");
    }

    private static async Task ReportReadsAsync(TodoSession session, CancellationToken ct)
    {
        Dictionary<string, long>? last = null;
        string? lastDigest = null;
        try
        {
            await foreach (var todos in session.Database.WatchAsync<Todo>(
                "SELECT id AS Id, list_id AS ListId, description AS Description, completed AS Completed FROM todos", null, ct))
            {
                var digest = ChaosRows.Digest(todos.Select(t => (t.Id, t.ListId, t.Description, t.Completed)));
                var now = todos.ToDictionary(t => t.Id, t => ChaosRows.Version(t.Description), StringComparer.Ordinal);
                var line = new StringBuilder(last is null ? "FULL " : "DIFF ").Append(digest);
                foreach (var (id, version) in now.OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    if (last is null || !last.TryGetValue(id, out var before) || before != version) line.Append(' ').Append(ChaosRows.Token(id, version));
                }
                foreach (var id in last?.Keys.Where(id => !now.ContainsKey(id)) ?? []) line.Append(' ').Append(ChaosRows.Token(id, -1));
                if (last is null || digest != lastDigest) Say(line.ToString());
                (last, lastDigest) = (now, digest);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ReportPendingAsync(TodoSession session, CancellationToken ct)
    {
        long last = -1;
        try
        {
            await foreach (var count in session.Database.WatchAsync<long>("SELECT count(*) FROM ps_crud", null, ct))
            {
                if (count[0] != last) Say("PENDING " + count[0].ToString(CultureInfo.InvariantCulture));
                last = count[0];
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ReportErrorsAsync(TodoSession session, CancellationToken ct)
    {
        string? last = null;
        try
        {
            await foreach (var status in session.Database.WatchStatusAsync(ct))
            {
                var error = (status.DownloadError ?? status.UploadError)?.Message.ReplaceLineEndings(" ");
                if (error is not null && error != last) Say("ERR " + error);
                last = error;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The client's writes: only its own rows (id prefix), each version one more than the row holds.</summary>
    private sealed class Writer(TodoSession session, string prefix, Random random, string user)
    {
        private readonly List<string> _own = [];
        private int _next;

        /// <summary>Finds the rows this client wrote before (any incarnation: they share the index).</summary>
        public async Task LoadAsync(CancellationToken ct)
        {
            var clientPrefix = prefix[..(prefix.IndexOf('-', StringComparison.Ordinal) + 1)];
            _own.AddRange(await session.Database.GetAllAsync<string>("SELECT id FROM todos WHERE substr(id, 1, ?) = ?", [clientPrefix.Length, clientPrefix], ct));
        }

        public async Task RunAsync(CancellationToken ct)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(400));
            try
            {
                while (await timer.WaitForNextTickAsync(ct))
                {
                    var writes = new List<(string Id, long Version)>();
                    // Not cancelled once begun: a pause waits for the transaction, so its writes are all reported.
                    await session.Database.WriteTransactionAsync(async (tx, token) =>
                    {
                        for (var ops = random.Next(1, 3); ops > 0; ops--) await WriteOneAsync(tx, writes, token);
                    }, CancellationToken.None);
                    Say("W " + string.Join(' ', writes.Select(w => ChaosRows.Token(w.Id, w.Version))));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task WriteOneAsync(ISqlContext tx, List<(string Id, long Version)> writes, CancellationToken ct)
        {
            var roll = random.Next(100);
            if (_own.Count < 3 || roll < 35)
            {
                var id = prefix + (_next++).ToString(CultureInfo.InvariantCulture);
                var list = random.Next(2) == 0 ? ChaosRows.SharedList : ChaosRows.OwnList(user);
                await tx.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed, created_by) VALUES (?, ?, ?, 1, ?)",
                    [id, list, ChaosRows.Description(1), user], ct);
                _own.Add(id);
                writes.Add((id, 1));
                return;
            }
            var pick = _own[random.Next(_own.Count)];
            if (roll < 45)
            {
                await tx.ExecuteAsync("DELETE FROM todos WHERE id = ?", [pick], ct);
                _own.Remove(pick);
                writes.Add((pick, -1));
                return;
            }
            var current = await tx.GetOptionalAsync<string>("SELECT description FROM todos WHERE id = ?", [pick], ct);
            if (current is null)
            {
                _own.Remove(pick); // refused by the backend once: the server's state removed it
                return;
            }
            var version = ChaosRows.Version(current) + 1;
            await tx.ExecuteAsync("UPDATE todos SET description = ?, completed = ? WHERE id = ?", [ChaosRows.Description(version), version % 2, pick], ct);
            writes.Add((pick, version));
        }
    }
}
