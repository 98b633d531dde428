using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PowerSync.Tests.Infrastructure.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary folder: <c>wal_level=logical</c>, listening on
/// 127.0.0.1 only at a free port, run as the <c>postgres</c> OS user when this process is root.
/// Disposing stops the server and deletes the folder. Clusters left behind by a process that died
/// (a killed test run) are stopped and deleted by the next <see cref="StartAsync"/>.
/// </summary>
public sealed class PrivatePostgresCluster : IAsyncDisposable
{
    /// <summary>Prefix of every cluster folder under the temp directory; the sweep looks for it.</summary>
    public const string FolderPrefix = "powersync-pg-";
    private const string OwnerFile = "owner.pid";
    private const string PostgresUser = "postgres";

    private readonly PostgresBinaries _binaries;
    private readonly string? _runAs;
    private int _disposed;

    private PrivatePostgresCluster(PostgresBinaries binaries, string root, int port, string? runAs)
    {
        _binaries = binaries;
        RootDirectory = root;
        Port = port;
        _runAs = runAs;
    }

    /// <summary>The cluster's folder (data directory, socket and log inside).</summary>
    public string RootDirectory { get; }

    /// <summary>Data directory given to initdb.</summary>
    public string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>Server log file.</summary>
    public string LogFile => Path.Combine(RootDirectory, "server.log");

    /// <summary>TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Connection string of the superuser <c>postgres</c> to the <c>postgres</c> database.</summary>
    public string AdminConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username={PostgresUser};Database=postgres;Pooling=true;Maximum Pool Size=20;Timeout=30;Command Timeout=60";

    /// <summary>Creates and starts a new cluster.</summary>
    public static Task<PrivatePostgresCluster> StartAsync(CancellationToken ct = default) => StartAsync([], ct);

    /// <summary>
    /// Creates and starts a new cluster with <paramref name="extraSettings"/> (postgresql.conf lines, which
    /// override the test settings: e.g. <c>synchronous_commit = on</c> where a crash must not lose a commit).
    /// </summary>
    public static async Task<PrivatePostgresCluster> StartAsync(IReadOnlyList<string> extraSettings, CancellationToken ct = default)
    {
        var binaries = PostgresBinaries.Locate();
        SweepAbandonedClusters(binaries);
        var runAs = ExternalProcess.IsRoot ? PostgresUser : null;

        // A free port can be taken by someone else between probing and binding; try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var root = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
            await File.WriteAllTextAsync(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), ct);
            var cluster = new PrivatePostgresCluster(binaries, root, FreeTcpPort(), runAs);
            try
            {
                await cluster.InitializeAsync(extraSettings, ct);
                await cluster.RunPgCtlAsync(["start", "-w", "-t", "60", "-D", cluster.DataDirectory, "-l", cluster.LogFile], ct);
                AppDomain.CurrentDomain.ProcessExit += cluster.OnProcessExit;
                return cluster;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = new InvalidOperationException($"{ex.Message}{Environment.NewLine}Server log:{Environment.NewLine}{cluster.ReadLog()}", ex);
                await cluster.DisposeAsync();
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }
        throw new InvalidOperationException("Could not start a private PostgreSQL cluster after 3 attempts.", last);
    }

    private async Task InitializeAsync(IReadOnlyList<string> extraSettings, CancellationToken ct)
    {
        if (_runAs is not null)
            await ExternalProcess.RunAsync("chown", ["-R", $"{_runAs}:{_runAs}", RootDirectory], null, RootDirectory, ct);

        await ExternalProcess.RunAsync(
            _binaries.Program("initdb"),
            ["-D", DataDirectory, "-U", PostgresUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            _runAs, RootDirectory, ct);

        // Settings for tests: logical decoding, room for parallel slots, speed over durability of the
        // machine (a crashed *process* still recovers; fsync only matters when the OS dies).
        var settings = $"""

            # --- PowerSync private test cluster ---
            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{RootDirectory}'
            wal_level = logical
            max_replication_slots = 128
            max_wal_senders = 128
            max_connections = 400
            shared_buffers = 128MB
            fsync = off
            synchronous_commit = off
            wal_writer_delay = 10ms
            full_page_writes = off
            log_min_messages = warning
            log_min_error_statement = panic
            """;
        settings += string.Concat(extraSettings.Select(line => Environment.NewLine + line)) + Environment.NewLine;
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings, ct);
    }

    /// <summary>
    /// Stops the server in <paramref name="mode"/> (<c>smart</c>, <c>fast</c> or <c>immediate</c>, as
    /// <c>pg_ctl stop -m</c>); false when it has not stopped within <paramref name="timeout"/> (it may still be
    /// shutting down: stop it again, e.g. immediately). <see cref="StartServerAsync"/> starts it again.
    /// </summary>
    public async Task<bool> StopServerAsync(string mode, TimeSpan timeout, CancellationToken ct = default)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        try
        {
            await RunPgCtlAsync(["stop", "-w", "-t", seconds, "-m", mode, "-D", DataDirectory], ct);
            return true;
        }
        catch (InvalidOperationException) when (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return true; // it was not running
        }
        catch (InvalidOperationException)
        {
            return false; // "server does not shut down"
        }
    }

    /// <summary>Starts the server stopped by <see cref="StopServerAsync"/> again, on the same port and data.</summary>
    public Task StartServerAsync(CancellationToken ct = default) =>
        RunPgCtlAsync(["start", "-w", "-t", "60", "-D", DataDirectory, "-l", LogFile], ct);

    /// <summary>
    /// Restarts the server with <c>pg_ctl restart -m <paramref name="mode"/></c> (<c>fast</c>, <c>smart</c> or
    /// <c>immediate</c>), waiting at most <paramref name="timeout"/> for it to stop and start again.
    /// </summary>
    /// <exception cref="InvalidOperationException">pg_ctl failed or gave up (the message has its output and the server log).</exception>
    public async Task RestartAsync(string mode, TimeSpan timeout, CancellationToken ct = default)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        try
        {
            await RunPgCtlAsync(["restart", "-w", "-t", seconds, "-m", mode, "-D", DataDirectory, "-l", LogFile], ct);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}Server log:{Environment.NewLine}{ReadLog()}", ex);
        }
    }

    private Task<string> RunPgCtlAsync(IReadOnlyList<string> args, CancellationToken ct) =>
        ExternalProcess.RunAsync(_binaries.Program("pg_ctl"), args, _runAs, RootDirectory, ct);

    private string ReadLog()
    {
        try { return File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log written)"; }
        catch (IOException e) { return $"(log unreadable: {e.Message})"; }
    }

    /// <summary>Stops the server (immediate mode: nothing in it is worth keeping) and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunPgCtlAsync(["stop", "-w", "-t", "60", "-m", "immediate", "-D", DataDirectory], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped (pg_ctl reports "no server running"); the folder still goes.
            }
        }
        DeleteFolder(RootDirectory);
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // The test host is exiting without having disposed us (a crash or an abort): stop synchronously.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        StopBlocking(_binaries, DataDirectory, _runAs);
        DeleteFolder(RootDirectory);
    }

    /// <summary>
    /// Stops and deletes every cluster folder whose owning process is gone: what a killed test run
    /// (or one whose process-exit handler never ran) left behind.
    /// </summary>
    internal static int SweepAbandonedClusters(PostgresBinaries binaries)
    {
        var swept = 0;
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var ownerPath = Path.Combine(dir, OwnerFile);
            if (File.Exists(ownerPath)
                && int.TryParse(File.ReadAllText(ownerPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && IsAlive(pid))
            {
                continue;
            }
            // No owner file: either abandoned mid-creation, or being created right now by another
            // process. Creation writes the owner file first thing, so only sweep old ones.
            if (!File.Exists(ownerPath) && Directory.GetCreationTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-5))
                continue;

            var data = Path.Combine(dir, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
                StopBlocking(binaries, data, ExternalProcess.IsRoot ? PostgresUser : null);
            DeleteFolder(dir);
            swept++;
        }
        return swept;
    }

    private static void StopBlocking(PostgresBinaries binaries, string dataDirectory, string? runAs) =>
        ExternalProcess.RunBlocking(binaries.Program("pg_ctl"), ["stop", "-w", "-t", "30", "-m", "immediate", "-D", dataDirectory],
            runAs, "/", TimeSpan.FromSeconds(40));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void DeleteFolder(string dir)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 3)
            {
                // A server process may still be closing files in it; retry once it has gone.
            }
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
