using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Core.Storage;
using SqliteValue = PowerSync.Core.SqliteValue;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Initial sync of N rows (10 buckets) into a fresh client, end to end on the client side: HTTP
/// download of NDJSON, parsing, op log, checksum validation and the atomic apply. The sync lines are
/// generated up front and replayed by a loopback HTTP server, so server cost is excluded (against the
/// in-process host the server share is added). The ceiling is the raw Microsoft.Data.Sqlite insert
/// rate of the same rows in the same run. Then the same rows again from the host itself (store and sync
/// endpoints in this process), server work included. Also measures 10,000 local writes through the views.
/// Ceiling and replay are measured three times each, alternating: the rates are medians, the ratio is
/// the median of each sync against the ceiling measured just before it. Each of these measurements starts
/// on a settled disk (<see cref="SettleDiskAsync"/>): a phase does not pay for the writes of the one before.
/// </summary>
public sealed class ClientInitialSyncScenario : IScenario
{
    private const int Buckets = 10;
    private const int OpsPerLine = 1000;
    private const int LocalWrites = 10_000;
    private const int Runs = 3;

    public string Name => "initial-sync";

    public string Description => "client initial sync (loopback replay of sync lines) vs raw SQLite insert rate; local writes through views";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "powersync-bench-initial-sync-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var linesPath = Path.Combine(folder, "lines.ndjson");
            await WriteLinesAsync(linesPath, rows, ct);
            // Ceiling and replay alternate, Runs times each; medians are reported, so one slow moment of
            // this machine moves none of the figures.
            var ceilings = new List<TimeSpan>();
            var syncs = new List<(TimeSpan Elapsed, TimeSpan LocalWrites, GcUsage Gc)>();
            for (var run = 0; run < Runs; run++)
            {
                var ceilingPath = Path.Combine(folder, "ceiling.db");
                await SettleDiskAsync(ct);
                ceilings.Add(await MeasureCeilingAsync(ceilingPath, rows, ct));
                DeleteDatabase(ceilingPath);
                var clientPath = Path.Combine(folder, "client.db");
                await SettleDiskAsync(ct);
                syncs.Add(await MeasureSyncAsync(clientPath, linesPath, rows, ct));
                DeleteDatabase(clientPath);
            }

            var ceiling = RunFigures.Median(ceilings, c => c);
            var sync = RunFigures.Median(syncs, s => s.Elapsed);
            await SettleDiskAsync(ct);
            var fromHost = await MeasureSyncFromHostAsync(Path.Combine(folder, "client-host.db"), rows, ct);
            report.Add("rows", (long)rows);
            report.Add("source", "loopback-replay");
            report.Add("runs", (long)Runs);
            report.Add("rows_per_s", rows / sync.Elapsed.TotalSeconds, "rows/s");
            report.Add("ceiling_rows_per_s", rows / ceiling.TotalSeconds, "rows/s");
            // Each sync is compared with the ceiling measured just before it; the median of those pairs is the ratio.
            var ratios = ceilings.Zip(syncs, (c, s) => c.TotalSeconds / s.Elapsed.TotalSeconds).ToList();
            report.Add("ratio", RunFigures.Median(ratios, r => r));
            report.Add("run_ratios", string.Join(" ", ratios.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
            report.Add("local_writes_per_s", LocalWrites / sync.LocalWrites.TotalSeconds, "rows/s");
            report.Add("host_rows_per_s", rows / fromHost.TotalSeconds, "rows/s");
            report.Add("host_ratio", ceiling.TotalSeconds / fromHost.TotalSeconds);
            report.Add("allocated_bytes_per_row", sync.Gc.AllocatedBytes / rows, "B");
            report.Add("gc_pause_ms", sync.Gc.Paused.TotalMilliseconds, "ms");
        }
        finally
        {
            try
            {
                Directory.Delete(folder, true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>
    /// Flushes the file system (<c>sync(2)</c>, where there is one) and leaves the disk idle for a few seconds: the
    /// client checkpoints a download's WAL in the background once it is applied, and on a virtual disk the host
    /// goes on writing after the guest's flush returns. Without this the next ceiling ran at 70-75% of its rate
    /// after some syncs, which flattered the ratio.
    /// </summary>
    private static async Task SettleDiskAsync(CancellationToken ct)
    {
        if (!OperatingSystem.IsWindows()) Sync();
        await Task.Delay(SettleTime, ct);
    }

    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "sync")]
    private static extern void Sync();

    private static string Data(int n) => $"{{\"id\":\"item-{n}\",\"name\":\"Item {n}\",\"price\":{n}.5,\"qty\":{n % 100}}}";

    /// <summary>A subkey shaped like the service's (a UUID derived from table and replica id), distinct per row.</summary>
    private static string Subkey(int n) => $"{n:x8}-{n % 65536:x4}-5{n % 4096:x3}-8{n % 4096:x3}-{(long)n * 2654435761L % 0xffffffffffffL:x12}";

    private static async Task WriteLinesAsync(string path, int rows, CancellationToken ct)
    {
        var checksums = new uint[Buckets];
        var counts = new int[Buckets];
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        var perBucket = Enumerable.Range(0, Buckets).Select(_ => new List<string>()).ToArray();
        for (var n = 0; n < rows; n++)
        {
            var b = n % Buckets;
            var data = Data(n);
            var checksum = OpChecksum.ForPut("items", $"item-{n}", data);
            checksums[b] = OpChecksum.Add(checksums[b], checksum);
            counts[b]++;
            perBucket[b].Add($"{{\"checksum\":{checksum},\"data\":{JsonSerializer.Serialize(data)},\"object_id\":\"item-{n}\",\"object_type\":\"items\",\"op\":\"PUT\",\"op_id\":\"{n + 1}\",\"subkey\":\"{Subkey(n)}\"}}");
        }

        var buckets = string.Join(",", Enumerable.Range(0, Buckets).Select(b => $"{{\"bucket\":\"b[{b}]\",\"checksum\":{unchecked((int)checksums[b])},\"count\":{counts[b]},\"priority\":3}}"));
        await writer.WriteLineAsync($"{{\"checkpoint\":{{\"buckets\":[{buckets}],\"last_op_id\":\"{rows}\",\"write_checkpoint\":null}}}}".AsMemory(), ct);
        for (var b = 0; b < Buckets; b++)
        {
            foreach (var chunk in perBucket[b].Chunk(OpsPerLine))
                await writer.WriteLineAsync($"{{\"data\":{{\"bucket\":\"b[{b}]\",\"data\":[{string.Join(",", chunk)}],\"has_more\":false}}}}".AsMemory(), ct);
        }

        await writer.WriteLineAsync($"{{\"checkpoint_complete\":{{\"last_op_id\":\"{rows}\"}}}}".AsMemory(), ct);
    }

    private static async Task<TimeSpan> MeasureCeilingAsync(string path, int rows, CancellationToken ct)
    {
        SQLitePCL.Batteries_V2.Init();
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE items(id TEXT PRIMARY KEY NOT NULL, data TEXT)";
            await setup.ExecuteNonQueryAsync(ct);
        }

        var watch = Stopwatch.StartNew();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO items(id, data) VALUES($id, $data)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var data = insert.Parameters.Add("$data", SqliteType.Text);
        insert.Prepare();
        for (var n = 0; n < rows; n++)
        {
            id.Value = $"item-{n}";
            data.Value = Data(n);
            await insert.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return watch.Elapsed;
    }

    private static void DeleteDatabase(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    private static async Task<(TimeSpan Elapsed, TimeSpan LocalWrites, GcUsage Gc)> MeasureSyncAsync(string clientPath, string linesPath, int rows, CancellationToken ct)
    {
        using var listener = new HttpListener();
        var endpoint = new Uri($"http://127.0.0.1:{FreePort()}/");
        listener.Prefixes.Add(endpoint.ToString());
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var serving = ServeAsync(listener, linesPath, stop.Token);
        var (db, elapsed, gc) = await FirstSyncAsync(clientPath, new Connector(endpoint), rows, ct);
        await using var _ = db;

        var watch = Stopwatch.StartNew();
        watch.Restart();
        await db.WriteTransactionAsync(async (tx, token) =>
        {
            for (var n = 0; n < LocalWrites; n++)
                await tx.ExecuteAsync("INSERT INTO items(id, name, price, qty) VALUES(?, ?, ?, ?)", [$"local-{n}", $"Local {n}", n * 0.5, n], token);
        }, ct);
        var local = watch.Elapsed;
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
        {
            // Stopped.
        }

        return (elapsed, local, gc);
    }

    /// <summary>
    /// The same rows served by the host (bucket store and sync endpoints on Kestrel, same process): the end
    /// to end figure, server work included; the replay above isolates the client's share.
    /// </summary>
    private static async Task<TimeSpan> MeasureSyncFromHostAsync(string clientPath, int rows, CancellationToken ct)
    {
        const string Rules = """
            bucket_definitions:
              by_group:
                parameters: SELECT value AS grp FROM json_each('[0,1,2,3,4,5,6,7,8,9]')
                data:
                  - SELECT id, name, price, qty FROM items WHERE grp = bucket.grp
            """;
        await using var host = await BenchmarkHost.CreateAsync(Rules, ct);
        for (var n = 0; n < rows; n++)
        {
            await host.SaveItemAsync($"t{n}", new Dictionary<string, SqliteValue>
            {
                ["id"] = SqliteValue.FromText($"item-{n}"),
                ["grp"] = SqliteValue.FromInteger(n % Buckets),
                ["name"] = SqliteValue.FromText($"Item {n}"),
                ["price"] = SqliteValue.FromReal(n + 0.5),
                ["qty"] = SqliteValue.FromInteger(n % 100),
            }, ct);
        }
        await host.CommitAsync(ct);
        await host.StartHttpAsync(maxConnections: 10, ct);

        var (db, elapsed, _) = await FirstSyncAsync(clientPath, new Connector(host.Address, host.Token("bench-user")), rows, ct);
        await db.DisposeAsync();
        return elapsed;
    }

    /// <summary>Opens a fresh client and times its first sync; returns it open and disconnected, with the GC cost of the sync.</summary>
    private static async Task<(PowerSyncDatabase Db, TimeSpan Elapsed, GcUsage Gc)> FirstSyncAsync(string path, IPowerSyncBackendConnector connector, int rows, CancellationToken ct)
    {
        var schema = new Schema(new Table("items", [Column.Text("name"), Column.Real("price"), Column.Integer("qty")]));
        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = path, Schema = schema }, ct);
        try
        {
            var gc = GcUsage.Now();
            var watch = Stopwatch.StartNew();
            await db.ConnectAsync(connector, new PowerSyncConnectionOptions { CrudUploadThrottle = TimeSpan.Zero }, ct);
            await db.WaitForFirstSyncAsync(cancellationToken: ct);
            var elapsed = watch.Elapsed;
            var used = GcUsage.Since(gc);
            var synced = await db.GetAsync<long>("SELECT count(*) FROM items", null, ct);
            if (synced != rows) throw new InvalidOperationException($"Synced {synced} rows, expected {rows}.");
            await db.DisconnectAsync(ct);
            return (db, elapsed, used);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task ServeAsync(HttpListener listener, string linesPath, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var context = await listener.GetContextAsync().WaitAsync(ct);
            _ = Task.Run(async () =>
            {
                try
                {
                    if (context.Request.Url!.AbsolutePath.EndsWith("/sync/stream", StringComparison.Ordinal))
                    {
                        context.Response.ContentType = "application/x-ndjson";
                        context.Response.SendChunked = true;
                        await using var file = File.OpenRead(linesPath);
                        await file.CopyToAsync(context.Response.OutputStream, ct);
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    else if (context.Request.Url.AbsolutePath.EndsWith("/sync/checkpoint-request", StringComparison.Ordinal))
                    {
                        // Accepts the posted id, as the service does for a client it has no newer record of.
                        using var body = await JsonDocument.ParseAsync(context.Request.InputStream, cancellationToken: ct);
                        var id = body.RootElement.GetProperty("checkpoint_request_id").ToString();
                        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"data\":{{\"checkpoint_request_id\":\"{id}\"}}}}"), ct);
                    }
                    else
                    {
                        await context.Response.OutputStream.WriteAsync("{\"data\":{\"write_checkpoint\":\"0\"}}"u8.ToArray(), ct);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or HttpListenerException or IOException)
                {
                    // Client gone or stopping.
                }
                finally
                {
                    context.Response.Abort();
                }
            }, CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private sealed class Connector(Uri endpoint, string token = "bench-token") : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
