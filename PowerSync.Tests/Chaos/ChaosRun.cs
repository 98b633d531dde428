using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;
using PowerSync.Tests.Replication;
using TodoBackend;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// One seed of the fault-injection suite: a private Postgres (durable commits, so a crash loses nothing it
/// acknowledged), samples/TodoBackend as its own process behind a proxy to Postgres, client processes each
/// behind a proxy to the backend, a Postgres-side writer, and the seed's fault schedule. Each round writes,
/// injects a fault, holds it, heals it, stops the writers and waits for every client to equal Postgres
/// through the sync rules; the checker looks for lost writes and reads going back in time throughout.
/// </summary>
internal sealed partial class ChaosRun : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly int _seed;
    private readonly ChaosSettings _settings;
    private readonly string _folder;
    private readonly TempFolder _work = new("powersync-chaos-");
    private readonly ChaosJournal _journal;
    private readonly Dictionary<FaultKind, int> _faults = [];
    private readonly List<string> _stalls = [];
    private readonly List<string> _lost = [];
    private readonly List<string> _diverged = [];
    private readonly List<FreezableTcpProxy> _clientProxies = [];
    private readonly List<ClientProcess> _clients = [];
    private TimeSpan _slowest;
    private PrivatePostgresCluster? _cluster;
    private NpgsqlDataSource? _postgres;
    private FreezableTcpProxy? _postgresProxy;
    private BackendProcess? _backend;
    private PostgresWriter? _writer;

    private ChaosRun(int seed, ChaosSettings settings)
    {
        _seed = seed;
        _settings = settings;
        _folder = Path.Combine(settings.ArtifactsFolder, "seed-" + seed.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        Directory.CreateDirectory(_folder);
        _journal = new ChaosJournal(Path.Combine(_folder, "journal.log"));
    }

    private ChaosChecker Checker => _journal.Checker;

    /// <summary>Runs <paramref name="seed"/>'s schedule and checks it.</summary>
    public static async Task<SeedResult> RunAsync(int seed, ChaosSettings settings)
    {
        var schedule = ChaosSchedule.Generate(seed, settings.Seconds, settings.Clients);
        await using var run = new ChaosRun(seed, settings);
        var described = ChaosSchedule.Describe(seed, schedule);
        await File.WriteAllTextAsync(Path.Combine(run._folder, "schedule.txt"), described);
        await TestContext.Progress.WriteLineAsync(described);
        try
        {
            await run.StartAsync();
            foreach (var fault in schedule)
            {
                if (!await run.RoundAsync(fault)) break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run._stalls.Add("the run stopped: " + ex.Message.ReplaceLineEndings(" "));
            run._journal.Note("run", ex.ToString());
        }
        return run.Result();
    }

    private SeedResult Result() => new(_seed, _faults, Checker.Acknowledged, Checker.Rejected, [.. _lost.Distinct()], _diverged,
        Checker.BackInTime, _stalls, _slowest, _folder);

    private async Task StartAsync()
    {
        _cluster = await PrivatePostgresCluster.StartAsync(["synchronous_commit = on"]);
        await using (var admin = new NpgsqlConnection(_cluster.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE chaos", admin);
            await create.ExecuteNonQueryAsync();
        }
        var direct = new NpgsqlConnectionStringBuilder(_cluster.AdminConnectionString) { Database = "chaos", Pooling = false };
        _postgres = NpgsqlDataSource.Create(direct.ConnectionString);
        await using (var cmd = _postgres.CreateCommand(await File.ReadAllTextAsync(TodoBackendApp.InAppFolder("schema.sql")) + ChaosRows.SeedSql()))
            await cmd.ExecuteNonQueryAsync();

        _postgresProxy = new FreezableTcpProxy("127.0.0.1", _cluster.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _postgresProxy.Port, Username = "postgres", Database = "chaos" };
        _backend = new BackendProcess(ChaosSettings.BackendDll(), LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = throughProxy.ConnectionString,
            ["PowerSync__StoragePath"] = Path.Combine(_work.Path, "buckets.db"),
            ["Auth__DevSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }, _journal);
        if (!await _backend.StartAsync(StartTimeout)) throw new InvalidOperationException("The backend did not start; see the journal.");

        for (var i = 0; i < _settings.Clients; i++)
        {
            var proxy = new FreezableTcpProxy("127.0.0.1", _backend.Port);
            _clientProxies.Add(proxy);
            var client = new ClientProcess(i, _journal);
            _clients.Add(client);
            StartClient(client);
        }
        foreach (var client in _clients)
        {
            if (!await client.OpenAsync(StartTimeout)) throw new InvalidOperationException($"Client {client.Index} did not open; see the journal.");
        }
        _writer = new PostgresWriter(direct.ConnectionString, _seed, _journal);
        var initial = await ConvergeAsync(StartTimeout);
        if (initial is null) throw new InvalidOperationException("The clients did not complete their first sync.");
        _journal.Note("run", $"initial sync in {initial.Value.TotalSeconds:0.0} s");
    }

    private void StartClient(ClientProcess client) =>
        client.Start(Path.Combine(_work.Path, $"client{client.Index}.db"), new Uri($"http://127.0.0.1:{_clientProxies[client.Index].Port}/"),
            ChaosRows.UserOf(client.Index), _seed);

    /// <summary>One round; false when the run cannot go on.</summary>
    private async Task<bool> RoundAsync(Fault fault)
    {
        foreach (var client in _clients) await client.ResumeAsync();
        _writer!.Resume();
        await Task.Delay(fault.Lead); // the schedule's time of writes before the fault, not a wait for a condition
        _journal.Note("run", "fault: " + fault);
        _faults[fault.Kind] = _faults.GetValueOrDefault(fault.Kind) + 1;
        await InjectAsync(fault);
        await Task.Delay(fault.Hold); // the schedule's fault duration
        var healing = _journal.Elapsed;
        await HealAsync(fault);
        _journal.Note("run", "healed");

        // Writers stop, so every client can converge on one state.
        await _writer.PauseAsync();
        foreach (var client in _clients)
        {
            if (!await client.PauseAsync(ChaosSettings.ConvergenceBound)) _stalls.Add($"round {fault.Round} ({fault.Kind}): client {client.Index} did not stop writing within {ChaosSettings.ConvergenceBound.TotalSeconds:0} s");
        }

        var remaining = ChaosSettings.ConvergenceBound - (_journal.Elapsed - healing);
        var converged = await ConvergeAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        if (converged is null)
        {
            _stalls.Add($"round {fault.Round} ({fault.Kind}): not converged {ChaosSettings.ConvergenceBound.TotalSeconds:0} s after healing");
            // Give it longer: still converging later is a stall; never converging is divergence, and the run ends.
            if (await ConvergeAsync(TimeSpan.FromSeconds(90)) is null)
            {
                _diverged.AddRange(await DifferencesAsync());
                await CheckLostAsync();
                return false;
            }
        }
        var took = _journal.Elapsed - healing;
        _slowest = took > _slowest ? took : _slowest;
        _journal.Note("run", $"round {fault.Round} converged {took.TotalSeconds:0.0} s after healing");
        await CheckLostAsync();
        return true;
    }

    /// <summary>Waits until every client drained its upload queue and holds what Postgres gives its user; the time it took, or null.</summary>
    private async Task<TimeSpan?> ConvergeAsync(TimeSpan timeout)
    {
        var start = _journal.Elapsed;
        while (true)
        {
            if (_clients.All(c => c.Pending == 0) && (await DifferencesAsync()).Count == 0) return _journal.Elapsed - start;
            var left = timeout - (_journal.Elapsed - start);
            if (left <= TimeSpan.Zero) return null;
            // Woken by any client line; Postgres is read again at most every 250 ms meanwhile.
            await _journal.ChangedAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }
    }

    /// <summary>Each client's read against Postgres through the sync rules for its user (versions, then whole rows by digest).</summary>
    private async Task<List<string>> DifferencesAsync()
    {
        var differences = new List<string>();
        await using var connection = await _postgres!.OpenConnectionAsync();
        var expected = new Dictionary<string, (Dictionary<string, long> Versions, string Digest)>(StringComparer.Ordinal);
        foreach (var user in _clients.Select(c => ChaosRows.UserOf(c.Index)).Distinct())
        {
            var todos = await VisibleTodos.ReadAsync(connection, user);
            expected[user] = (todos.ToDictionary(t => t.Id, t => ChaosRows.Version(t.Description), StringComparer.Ordinal),
                ChaosRows.Digest(todos.Select(t => (t.Id, t.ListId, t.Description, t.Completed))));
        }
        foreach (var client in _clients)
        {
            var (versions, digest) = expected[ChaosRows.UserOf(client.Index)];
            var rows = ChaosChecker.Differences(Checker.ViewOf(client.Source), versions);
            differences.AddRange(rows.Select(r => $"client {client.Index}: {r}"));
            if (rows.Count == 0 && Checker.DigestOf(client.Source) != digest) differences.Add($"client {client.Index}: same versions as Postgres, other columns differ");
            if (client.Pending != 0) differences.Add($"client {client.Index}: {client.Pending} write(s) not uploaded");
        }
        return differences;
    }

    private async Task CheckLostAsync()
    {
        var postgres = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var cmd = _postgres!.CreateCommand("SELECT id, description FROM todos"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) postgres[reader.GetString(0)] = ChaosRows.Version(reader.GetString(1));
        }
        var lost = Checker.LostWrites(postgres);
        foreach (var line in lost) _journal.Note("run", "LOST " + line);
        _lost.AddRange(lost);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync();
        foreach (var client in _clients) await client.DisposeAsync();
        if (_backend is not null) await _backend.DisposeAsync();
        foreach (var proxy in _clientProxies) await proxy.DisposeAsync();
        if (_postgresProxy is not null) await _postgresProxy.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_cluster is not null)
        {
            if (File.Exists(_cluster.LogFile)) File.Copy(_cluster.LogFile, Path.Combine(_folder, "postgres.log"), overwrite: true);
            await _cluster.DisposeAsync();
        }
        _journal.Dispose();
        _work.Dispose();
    }
}
