using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace PowerSync.Tests.Infrastructure.Postgres;

/// <summary>
/// The Postgres that tests, benchmarks and the demo use: the server named by the
/// <c>POWERSYNC_TEST_PG</c> connection string when set, else a <see cref="PrivatePostgresCluster"/>.
/// Hands out isolated databases, each with its own slot and publication names.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Environment variable naming an existing server to use instead of a private cluster.</summary>
    public const string ExternalServerVariable = "POWERSYNC_TEST_PG";

    private readonly PrivatePostgresCluster? _cluster;

    private PostgresServer(string adminConnectionString, PrivatePostgresCluster? cluster)
    {
        AdminConnectionString = adminConnectionString;
        _cluster = cluster;
    }

    /// <summary>Superuser connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The private cluster, or null when an external server is used.</summary>
    public PrivatePostgresCluster? Cluster => _cluster;

    /// <summary>Starts a private cluster, or connects to <c>POWERSYNC_TEST_PG</c>, and checks it can do logical replication.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken ct = default)
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        PostgresServer server;
        if (!string.IsNullOrWhiteSpace(external))
        {
            server = new PostgresServer(external, cluster: null);
        }
        else
        {
            var cluster = await PrivatePostgresCluster.StartAsync(ct);
            server = new PostgresServer(cluster.AdminConnectionString, cluster);
        }

        try
        {
            await server.CheckLogicalReplicationAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task CheckLogicalReplicationAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SHOW wal_level", conn);
        var walLevel = (string?)await cmd.ExecuteScalarAsync(ct);
        if (walLevel != "logical")
        {
            throw new InvalidOperationException(
                $"The Postgres server at {Describe(AdminConnectionString)} has wal_level={walLevel}; logical replication needs " +
                "wal_level=logical. Set it in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart the server, " +
                $"or unset {ExternalServerVariable} to use a private cluster.");
        }
    }

    /// <summary>
    /// Creates a fresh database for one test (or benchmark run). Its name, slot name and publication
    /// name derive from <paramref name="hint"/> (e.g. the test name) plus a random suffix.
    /// </summary>
    public async Task<TestDatabase> CreateDatabaseAsync(string hint, CancellationToken ct = default)
    {
        var baseName = UniqueName(hint);
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{baseName}\"", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = baseName };
        return new TestDatabase(this, baseName, builder.ConnectionString);
    }

    /// <summary>Drops a database created by <see cref="CreateDatabaseAsync"/> and every replication slot in it.</summary>
    internal async Task DropDatabaseAsync(TestDatabase database)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(database.ConnectionString));
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        // A slot still streaming (a test that forgot to stop, or a walsender not yet gone after its client closed) must
        // be freed before it can be dropped; pg_terminate_backend only signals, so wait until the slots are inactive.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using (var cmd = new NpgsqlCommand(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = database.Name });
                await cmd.ExecuteNonQueryAsync();
            }
            await using (var cmd = new NpgsqlCommand(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = database.Name });
                await cmd.ExecuteNonQueryAsync();
            }
            await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE database = $1", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = database.Name });
                if ((long)(await cmd.ExecuteScalarAsync())! == 0 || DateTime.UtcNow > deadline) break;
            }
            await Task.Delay(50); // a terminated walsender exits within milliseconds; poll until its slot is free
        }
        await using (var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database.Name}\" WITH (FORCE)", conn))
        {
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Stops the private cluster, if any. An external server is left running.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }

    /// <summary>A Postgres identifier (≤ 63 bytes, [a-z0-9_]) from a free-form hint plus a random suffix.</summary>
    internal static string UniqueName(string hint)
    {
        var sb = new StringBuilder("ps_");
        foreach (var c in hint.ToLowerInvariant())
        {
            if (sb.Length >= 40) break;
            var ok = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (ok) sb.Append(c);
            else if (sb[^1] != '_') sb.Append('_');
        }
        if (sb[^1] != '_') sb.Append('_');
        sb.Append(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        return sb.ToString();
    }

    private static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}";
    }
}
