using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Postgres;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Three app instances as separate processes (<see cref="ScaleOutHost"/>) over one Postgres bucket store (a second
/// database of the private server), all with the default role and lease, so one replicates and all serve.
/// In order: a warm-up of W rows (<c>--stored</c>, default 50,000) replicated untimed, so that the replicating process
/// runs its steady-state code (tiered JIT done) as a long-running one does, its rate reported as the cold one; N rows
/// inserted in the source (1000 a transaction, four connections) timed until the shared store's checkpoint holds
/// them all, while every instance is up; the store vacuumed (untimed); on each instance in turn, a fresh client's first sync of
/// the N rows over HTTP (one cold download each, then a timed one at a new checkpoint), whose streams stay open; single-row commits, one every
/// 20 ms, each timed from its commit to its line on every instance's stream; then the replicating process is killed
/// (SIGKILL) and a row is committed at once, timed until another instance holds the lease and the store has a new
/// checkpoint with that row (and until the row reaches a client on a surviving instance).
/// </summary>
public sealed class ScaleOutScenario : IScenario
{
    private const int Instances = 3;
    private const int Writers = 4;
    private const long ChangeIds = 1_000_000_000;
    private static readonly TimeSpan ChangeInterval = TimeSpan.FromMilliseconds(20);

    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT * FROM items
        """;

    // Targets of issue 16, on this machine.
    private const double ReplicationTarget = 30_000, DownloadTarget = 100_000, FailoverTarget = 10, PropagationTarget = 100;

    public string Name => "scale-out";

    public string Description => "3 instance processes over one Postgres store: replication, per-instance download, checkpoint propagation, failover";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 200_000;
        var warmup = options.Stored ?? 50_000;
        var changes = options.Clients ?? 250;
        await using var server = await PostgresServer.StartAsync(ct);
        await using var source = await server.CreateDatabaseAsync("scale-out-source", ct);
        await using var storeDb = await server.CreateDatabaseAsync("scale-out-store", ct);
        await ItemsWorkload.CreateTableAsync(source, source.PublicationName, ct);
        await using var store = NpgsqlDataSource.Create(storeDb.ConnectionString);
        var key = RandomNumberGenerator.GetBytes(32);
        var logs = Directory.CreateTempSubdirectory("powersync-bench-scale-out-").FullName;

        var hosts = new List<HostProcess>();
        try
        {
            hosts.AddRange(await Task.WhenAll(Enumerable.Range(0, Instances).Select(i =>
                HostProcess.StartAsync(i, source, storeDb, Base64UrlEncoder.Encode(key), Path.Combine(logs, $"instance-{i}.log"), ct))));
            var first = await WaitForStoreAsync(store, s => s.CheckpointOp is not null, TimeSpan.FromMinutes(2), hosts, ct);
            var replicator = hosts.Single(h => h.Pid == first.OwnerPid);

            // Warm-up, untimed: the replicating process's first rows run through code the JIT has not optimized yet.
            var warm = Stopwatch.StartNew();
            if (warmup > 0)
            {
                await Task.WhenAll(Enumerable.Range(0, Writers).Select(w =>
                    ItemsWorkload.InsertAsync(source, Share(warmup, w), ct, firstId: Offset(warmup, w))));
                first = await WaitForStoreAsync(store, s => s.CheckpointOp >= first.CheckpointOp + warmup, TimeSpan.FromMinutes(30), hosts, ct);
            }
            warm.Stop();

            // Replication into the shared store while every instance is up (and the two others serve).
            var startOp = first.CheckpointOp!.Value;
            var (replicatorCpu, postgresCpu) = (CpuTime.OfProcess(replicator.Pid), CpuTime.OfPostgres(server));
            var replication = Stopwatch.StartNew();
            var insert = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w =>
                ItemsWorkload.InsertAsync(source, Share(rows, w), ct, firstId: warmup + Offset(rows, w))));
            insert.Stop();
            await WaitForStoreAsync(store, s => s.CheckpointOp >= startOp + rows, TimeSpan.FromMinutes(30), hosts, ct);
            replication.Stop();
            (replicatorCpu, postgresCpu) = (CpuTime.OfProcess(replicator.Pid) - replicatorCpu, CpuTime.OfPostgres(server) - postgresCpu);

            // The bulk load done, the store is vacuumed as autovacuum would soon do, so that it does not run during the
            // downloads (on two cores it took the first instance's download from ~100k to ~30k rows/s).
            await storeDb.ExecuteAsync("VACUUM (ANALYZE)", ct);
            await source.ExecuteAsync("VACUUM (ANALYZE)", ct);

            // A fresh client's first sync on each instance, cold (the first pass runs at the JIT's first tier), then
            // after one more row: a new checkpoint, so that nothing is served from pages cached for the cold one. The
            // timed streams stay open for what follows.
            var token = ScaleOutHost.Token(key, "u1");
            var cold = new List<double>();
            foreach (var host in hosts)
            {
                await using var warmUp = ClientStream.Open(host.Client, token);
                cold.Add(await warmUp.SyncedAsync(warmup + rows, ct));
            }
            var synced = await ReadStoreAsync(store, ct);
            await using (var writer = await source.OpenConnectionAsync(ct))
                await InsertChangeAsync(writer, ChangeIds - 1, ct);
            var timedRows = warmup + rows + 1;
            await WaitForStoreAsync(store, s => s.CheckpointOp > synced.CheckpointOp, TimeSpan.FromMinutes(1), hosts, ct);
            var streams = new List<ClientStream>();
            var serveCpu = new List<(TimeSpan Host, TimeSpan Postgres)>();
            foreach (var host in hosts)
            {
                var (hostBefore, postgresBefore) = (CpuTime.OfProcess(host.Pid), CpuTime.OfPostgres(server));
                var stream = ClientStream.Open(host.Client, token);
                streams.Add(stream);
                await stream.SyncedAsync(timedRows, ct);
                serveCpu.Add((CpuTime.OfProcess(host.Pid) - hostBefore, CpuTime.OfPostgres(server) - postgresBefore));
            }

            // Single-row commits, each seen on every instance's stream.
            var committed = new long[changes];
            await using (var writer = await source.OpenConnectionAsync(ct))
            {
                for (var k = 0; k < changes; k++)
                {
                    await InsertChangeAsync(writer, ChangeIds + k, ct);
                    committed[k] = Stopwatch.GetTimestamp();
                    await Task.Delay(ChangeInterval, ct);
                }
            }
            var seen = await Task.WhenAll(streams.Select(s => s.WaitForAsync(Enumerable.Range(0, changes).Select(k => ChangeIds + k), ct)));
            var r = hosts.IndexOf(replicator);
            var propagation = new List<double>();
            var commitToServing = new List<double>();
            var commitToReplicating = new List<double>();
            for (var k = 0; k < changes; k++)
            {
                var onReplicator = seen[r][k];
                commitToReplicating.Add(Ms(onReplicator - committed[k]));
                for (var i = 0; i < Instances; i++)
                {
                    if (i == r) continue;
                    propagation.Add(Ms(seen[i][k] - onReplicator));
                    commitToServing.Add(Ms(seen[i][k] - committed[k]));
                }
            }

            // Failover: the replicating process killed, a row committed at once.
            var before = await ReadStoreAsync(store, ct);
            var failover = Stopwatch.StartNew();
            replicator.Kill();
            var failoverId = ChangeIds + changes;
            await using (var writer = await source.OpenConnectionAsync(ct))
                await InsertChangeAsync(writer, failoverId, ct);
            var survivors = hosts.Where(h => h != replicator).ToList();
            var after = await WaitForStoreAsync(store, s => s.CheckpointOp > before.CheckpointOp && s.OwnerPid != replicator.Pid,
                TimeSpan.FromMinutes(2), survivors, ct);
            var failoverSeconds = failover.Elapsed.TotalSeconds;
            var survivorStream = streams[hosts.IndexOf(survivors[0])];
            await survivorStream.WaitForAsync([failoverId], ct);
            var failoverToClient = failover.Elapsed.TotalSeconds;

            foreach (var stream in streams) await stream.DisposeAsync();

            var download = streams.Select(s => timedRows / s.SyncSeconds).ToList();
            report.Add("instances", Instances);
            report.Add("rows", rows);
            report.Add("store", "postgres (second database, same server)");
            report.Add("replication_rows_per_s", rows / replication.Elapsed.TotalSeconds, "rows/s");
            report.Add("replication_target_rows_per_s", ReplicationTarget, "rows/s");
            report.Add("replication_warmup_rows", warmup);
            report.Add("replication_cold_rows_per_s", warmup > 0 ? warmup / warm.Elapsed.TotalSeconds : 0, "rows/s");
            report.Add("postgres_insert_rows_per_s", rows / insert.Elapsed.TotalSeconds, "rows/s");
            // CPU per row of the replicating process, and of the whole Postgres (the inserts included).
            report.Add("replicator_cpu_us_per_row", replicatorCpu.TotalMicroseconds / rows, "µs");
            report.Add("postgres_cpu_us_per_row", postgresCpu.TotalMicroseconds / rows, "µs");
            report.Add("download_rows_per_s", download.Min(), "rows/s");
            report.Add("download_target_rows_per_s", DownloadTarget, "rows/s");
            report.Add("instance_download_rows_per_s", string.Join(' ', download.Select(d => d.ToString("F0", CultureInfo.InvariantCulture))));
            // Serving CPU per row: the instance's process, and Postgres reading the store for it.
            report.Add("download_instance_cpu_us_per_row", string.Join(' ', serveCpu.Select(c => (c.Host.TotalMicroseconds / timedRows).ToString("F2", CultureInfo.InvariantCulture))));
            report.Add("download_postgres_cpu_us_per_row", string.Join(' ', serveCpu.Select(c => (c.Postgres.TotalMicroseconds / timedRows).ToString("F2", CultureInfo.InvariantCulture))));
            report.Add("instance_cold_download_rows_per_s", string.Join(' ', cold.Select(c => ((warmup + rows) / c).ToString("F0", CultureInfo.InvariantCulture))));
            report.Add("changes", changes);
            report.Add("checkpoint_propagation_p50_ms", FanoutScenario.Percentile(propagation, 0.50), "ms");
            report.Add("checkpoint_propagation_p99_ms", FanoutScenario.Percentile(propagation, 0.99), "ms");
            report.Add("checkpoint_propagation_target_p99_ms", PropagationTarget, "ms");
            report.Add("commit_to_client_replicating_p50_ms", FanoutScenario.Percentile(commitToReplicating, 0.50), "ms");
            report.Add("commit_to_client_replicating_p99_ms", FanoutScenario.Percentile(commitToReplicating, 0.99), "ms");
            report.Add("commit_to_client_serving_p50_ms", FanoutScenario.Percentile(commitToServing, 0.50), "ms");
            report.Add("commit_to_client_serving_p99_ms", FanoutScenario.Percentile(commitToServing, 0.99), "ms");
            report.Add("failover_s", failoverSeconds, "s");
            report.Add("failover_target_s", FailoverTarget, "s");
            report.Add("failover_to_client_s", failoverToClient, "s");
            report.Add("replication_lease_duration_s", new PowerSync.Core.Hosting.PowerSyncOptions().ReplicationLeaseDuration.TotalSeconds, "s");
            report.Add("failover_lease_token", after.Token);
            report.Add("load_average", File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "");
        }
        catch
        {
            await Console.Error.WriteLineAsync($"The instances' logs are in {logs}.");
            logs = "";
            throw;
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
            if (logs.Length > 0) Directory.Delete(logs, recursive: true);
        }
    }

    private static int Share(int rows, int writer) => rows / Writers + (writer < rows % Writers ? 1 : 0);

    private static int Offset(int rows, int writer) => Enumerable.Range(0, writer).Sum(w => Share(rows, w));

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static async Task InsertChangeAsync(NpgsqlConnection connection, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO items (id, name, price, updated_at) VALUES ($1, 'change', 0, now())", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The shared store's active checkpoint and the lease of its version, as any instance would read them.</summary>
    private readonly record struct StoreState(long? CheckpointOp, int? OwnerPid, long Token);

    private static async Task<StoreState> ReadStoreAsync(NpgsqlDataSource store, CancellationToken ct)
    {
        await using var cmd = store.CreateCommand($"""
            SELECT r.checkpoint_op, l.owner, coalesce(l.token, 0) FROM {PostgresBucketStorageOptions.DefaultSchema}.sync_rules r
            LEFT JOIN {PostgresBucketStorageOptions.DefaultSchema}.replication_leases l ON l.rules_id = r.id
            WHERE r.state = {(int)SyncRulesState.Active} ORDER BY r.id DESC LIMIT 1
            """);
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return default;
            // The owner is "machine/pid/random" (PostgresBucketStorageOptions.InstanceId).
            int? pid = reader.IsDBNull(1) ? null : int.Parse(reader.GetString(1).Split('/')[1], CultureInfo.InvariantCulture);
            return new StoreState(reader.IsDBNull(0) ? null : reader.GetInt64(0), pid, reader.GetInt64(2));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return default; // No instance has created the store yet.
        }
    }

    private static async Task<StoreState> WaitForStoreAsync(NpgsqlDataSource store, Func<StoreState, bool> done, TimeSpan timeout,
        IReadOnlyList<HostProcess> hosts, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var state = await ReadStoreAsync(store, ct);
            if (done(state)) return state;
            if (hosts.FirstOrDefault(h => h.HasExited) is { } exited)
                throw new InvalidOperationException($"Instance {exited.Index} exited (code {exited.ExitCode}); see its log.");
            if (waited.Elapsed > timeout) throw new TimeoutException($"The shared store did not reach the expected state within {timeout} (last: {state}).");
            await Task.Delay(5, ct);
        }
    }

    /// <summary>One instance: this executable's <c>host</c> command, configured through environment variables.</summary>
    private sealed class HostProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StreamWriter _log;
        private readonly Task _copyErrors;

        private HostProcess(int index, Process process, StreamWriter log, Uri address)
        {
            Index = index;
            _process = process;
            _log = log;
            Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = address,
                Timeout = Timeout.InfiniteTimeSpan,
            };
            _copyErrors = CopyAsync(process.StandardError, log);
        }

        public int Index { get; }
        public int Pid => _process.Id;
        public HttpClient Client { get; }
        public bool HasExited => _process.HasExited;
        public int ExitCode => _process.ExitCode;

        public static async Task<HostProcess> StartAsync(int index, TestDatabase source, TestDatabase store, string key, string logPath, CancellationToken ct)
        {
            var self = Environment.ProcessPath!;
            var psi = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ScaleOutScenario).Assembly.Location);
            psi.ArgumentList.Add("host");
            psi.Environment["PowerSync__SourceConnectionString"] = source.ConnectionString;
            psi.Environment["PowerSync__PublicationName"] = source.PublicationName;
            psi.Environment["PowerSync__SyncRules"] = Rules;
            psi.Environment["PowerSync__StorageEngine"] = "Postgres";
            psi.Environment["PowerSync__StorageConnectionString"] = store.ConnectionString;
            psi.Environment[ScaleOutHost.KeyVariable] = key;
            var process = Process.Start(psi)!;
            var log = new StreamWriter(logPath) { AutoFlush = true };
            while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                await log.WriteLineAsync(line);
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    var host = new HostProcess(index, process, log, new Uri(line["LISTENING ".Length..]));
                    _ = CopyAsync(process.StandardOutput, log);
                    return host;
                }
            }
            await log.DisposeAsync();
            throw new InvalidOperationException($"Instance {index} exited before serving (code {process.ExitCode}): {await process.StandardError.ReadToEndAsync(ct)}");
        }

        private static async Task CopyAsync(StreamReader from, StreamWriter to)
        {
            try
            {
                while (await from.ReadLineAsync() is { } line)
                {
                    lock (to) to.WriteLine(line);
                }
            }
            catch (ObjectDisposedException)
            {
                // The log closed first.
            }
        }

        /// <summary>SIGKILL: no shutdown, no lease release.</summary>
        public void Kill() => _process.Kill();

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                try
                {
                    await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    _process.Kill();
                }
            }
            await _process.WaitForExitAsync(CancellationToken.None);
            await _copyErrors;
            await _log.DisposeAsync();
            _process.Dispose();
        }
    }

    /// <summary>
    /// A sync stream read as raw lines: ops counted until the first <c>checkpoint_complete</c> (the first sync), then
    /// the arrival time of every row (by object id) noted.
    /// </summary>
    private sealed class ClientStream : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<(long Ops, double Seconds)> _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<long, long> _seen = new();
        private readonly Task _reading;

        private ClientStream(HttpClient client, string token)
        {
            _reading = Task.Run(() => ReadAsync(client, token, _stop.Token));
        }

        public double SyncSeconds { get; private set; }

        public static ClientStream Open(HttpClient client, string token) => new(client, token);

        /// <summary>Seconds from the request to the first <c>checkpoint_complete</c>; throws unless it had <paramref name="rows"/> ops.</summary>
        public async Task<double> SyncedAsync(int rows, CancellationToken ct)
        {
            var (ops, seconds) = await _synced.Task.WaitAsync(TimeSpan.FromMinutes(10), ct);
            if (ops != rows) throw new InvalidOperationException($"The first sync had {ops} ops, expected {rows}.");
            return SyncSeconds = seconds;
        }

        /// <summary>When each row arrived (Stopwatch timestamps), once all have.</summary>
        public async Task<long[]> WaitForAsync(IEnumerable<long> ids, CancellationToken ct)
        {
            var wanted = ids.ToArray();
            var waited = Stopwatch.StartNew();
            while (!wanted.All(_seen.ContainsKey))
            {
                if (_reading.IsCompleted) await _reading;
                if (waited.Elapsed > TimeSpan.FromMinutes(2))
                    throw new TimeoutException($"{wanted.Count(id => !_seen.ContainsKey(id))} of {wanted.Length} rows did not reach the client.");
                await Task.Delay(10, ct);
            }
            return [.. wanted.Select(id => _seen[id])];
        }

        private async Task ReadAsync(HttpClient client, string token, CancellationToken ct)
        {
            try
            {
                var started = Stopwatch.StartNew();
                using var response = await DownloadScenario.OpenStreamAsync(client, token, ct);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new byte[1 << 20];
                int filled = 0, read;
                long ops = 0;
                var synced = false;
                while ((read = await body.ReadAsync(buffer.AsMemory(filled), ct)) > 0)
                {
                    filled += read;
                    var at = Stopwatch.GetTimestamp();
                    var span = buffer.AsSpan(0, filled);
                    var end = span.LastIndexOf((byte)'\n');
                    if (end < 0)
                    {
                        if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                        continue;
                    }
                    foreach (var range in ((ReadOnlySpan<byte>)span[..end]).Split((byte)'\n'))
                    {
                        var line = span[range];
                        if (!synced)
                        {
                            ops += Count(line, "\"op_id\":"u8);
                            if (line.StartsWith("{\"checkpoint_complete\""u8))
                            {
                                synced = true;
                                _synced.TrySetResult((ops, started.Elapsed.TotalSeconds));
                            }
                        }
                        else
                        {
                            NoteRows(line, at);
                        }
                    }
                    span[(end + 1)..].CopyTo(buffer);
                    filled -= end + 1;
                }
                throw new InvalidOperationException("The sync stream ended.");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                _synced.TrySetCanceled(ct);
            }
            catch (Exception e)
            {
                _synced.TrySetException(e);
                throw;
            }
        }

        private void NoteRows(ReadOnlySpan<byte> line, long at)
        {
            var pattern = "\"object_id\":\""u8;
            while (line.IndexOf(pattern) is var i and >= 0)
            {
                line = line[(i + pattern.Length)..];
                var quote = line.IndexOf((byte)'"');
                if (long.TryParse(line[..quote], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) _seen.TryAdd(id, at);
                line = line[quote..];
            }
        }

        private static int Count(ReadOnlySpan<byte> text, ReadOnlySpan<byte> pattern)
        {
            var count = 0;
            while (text.IndexOf(pattern) is var i and >= 0)
            {
                count++;
                text = text[(i + pattern.Length)..];
            }
            return count;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _reading;
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
                // Stopped, or its instance was killed.
            }
            _stop.Dispose();
        }
    }
}
