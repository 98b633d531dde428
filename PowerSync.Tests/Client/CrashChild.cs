using PowerSync.Client;
using SQLitePCL;

namespace PowerSync.Tests.Client;

/// <summary>
/// The child process of <see cref="ProcessKillTests"/>: works on a client database and reports on stdout
/// (<c>ACK n</c> once a write transaction returned, <c>AT point</c> when it stopped the writer in the middle
/// of a statement and waits to be killed).
/// </summary>
internal static class CrashChild
{
    private static delegate_progress? _handler;

    public static async Task<int> RunAsync(string[] args)
    {
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = args[1], Schema = SyncHarness.TestSchema });
        switch (args[0])
        {
            case "writes":
                await WritesAsync(db, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "apply":
                await ApplyAsync(db, new Uri(args[2]), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "download":
                await DownloadAsync(db, new Uri(args[2]), long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "upload":
                await UploadAsync(db, new Uri(args[2]));
                break;
            default:
                await Console.Error.WriteLineAsync($"unknown mode {args[0]}");
                return 2;
        }

        return 0;
    }

    /// <summary>Two-row write transactions, acknowledged one by one; with <paramref name="stopAt"/> &gt;= 0 the writer stops inside that transaction.</summary>
    private static async Task WritesAsync(PowerSyncDatabase db, int stopAt)
    {
        for (var i = 0; ; i++)
        {
            if (i == stopAt) StopWriterAfter(db, "mid-write", 3);
            var n = i;
            await db.WriteTransactionAsync(async (tx, ct) =>
            {
                await tx.ExecuteAsync("INSERT INTO test(id, description) VALUES(?, ?)", [$"w{n}a", $"write {n}"], ct);
                await tx.ExecuteAsync("INSERT INTO test(id, description) VALUES(?, ?)", [$"w{n}b", $"write {n}"], ct);
            });
            Say($"ACK {n}");
        }
    }

    /// <summary>Downloads a checkpoint, then stops the writer <paramref name="stopAfter"/> progress steps into the apply.</summary>
    private static async Task ApplyAsync(PowerSyncDatabase db, Uri endpoint, int stopAfter)
    {
        await db.ConnectAsync(new TestConnector(endpoint), SyncHarness.Options);
        await db.WaitForStatusAsync(s => s.DownloadProgress is { TotalOperations: > 0 } p && p.DownloadedOperations >= p.TotalOperations);
        StopWriterAfter(db, "mid-apply", stopAfter);
        Say("DOWNLOADED");
        await db.WaitForFirstSyncAsync();
        Say("SYNCED");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Once <paramref name="stored"/> ops are stored, stops the writer inside the next save of a data batch.</summary>
    private static async Task DownloadAsync(PowerSyncDatabase db, Uri endpoint, long stored)
    {
        await db.ConnectAsync(new TestConnector(endpoint), SyncHarness.Options);
        await db.WaitForStatusAsync(s => s.DownloadProgress is { } p && p.DownloadedOperations >= stored);
        StopWriterAfter(db, "mid-save", 3);
        Say("STORED");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Queues writes, then uploads the first transaction and never completes it.</summary>
    private static async Task UploadAsync(PowerSyncDatabase db, Uri endpoint)
    {
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('u1', 'one')");
        await db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO test(id, description) VALUES('u2', 'two')", null, ct);
            await tx.ExecuteAsync("INSERT INTO test(id, description) VALUES('u3', 'three')", null, ct);
        });
        Say("ACK writes");
        var connector = new TestConnector(endpoint)
        {
            Upload = async (database, ct) =>
            {
                var tx = await database.GetNextCrudTransactionAsync(ct);
                Say("UPLOADED " + string.Join(",", tx!.Entries.Select(e => e.Id)));
                await Task.Delay(Timeout.Infinite, ct); // the backend has the data; CompleteAsync never runs
            },
        };
        await db.ConnectAsync(connector, SyncHarness.Options);
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>After <paramref name="steps"/> progress callbacks (100 VM instructions each) the writer reports and blocks inside its statement.</summary>
    private static void StopWriterAfter(PowerSyncDatabase db, string point, int steps)
    {
        var calls = 0;
        var never = new ManualResetEventSlim();
        _handler = _ =>
        {
            if (++calls != steps) return 0;
            Say("AT " + point);
            never.Wait();
            return 0;
        };
        raw.sqlite3_progress_handler(db.Pool.WriterHandle, 100, _handler, null);
    }

    private static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
