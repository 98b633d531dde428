using Npgsql;

namespace PowerSync.Tests.Infrastructure.Postgres;

/// <summary>
/// A database of its own for one test: no other test sees its tables, slot or publication.
/// Disposing drops its replication slots and the database.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;
    private int _disposed;

    internal TestDatabase(PostgresServer server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>Database name (also the base of the slot and publication names).</summary>
    public string Name { get; }

    /// <summary>Superuser connection string to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>A replication slot name unique to this database (slots are cluster-wide).</summary>
    public string SlotName => Name + "_slot";

    /// <summary>A publication name for this database.</summary>
    public string PublicationName => Name + "_pub";

    /// <summary>Opens a new connection to this database.</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken ct = default)
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>Runs one or more SQL statements.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs a query and returns its first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct = default)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync(ct);
        return (T)value!;
    }

    /// <summary>Drops the database and its slots.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _server.DropDatabaseAsync(this);
    }
}
