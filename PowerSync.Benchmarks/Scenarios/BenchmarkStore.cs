using Npgsql;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Core.Storage.Postgres;
using PowerSync.Core.Storage.Sqlite;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The bucket store a scenario runs on (<c>--storage</c>): SQLite (the default), LiteDB, or Postgres — a
/// database of its own in the scenario's private Postgres (as <c>StorageConnectionString</c> names one), so the
/// store's writes are not in the source database's WAL the replication slot decodes.
/// </summary>
internal sealed class BenchmarkStore : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string LiteDb = "litedb";
    public const string Postgres = "postgres";

    /// <summary>The <c>--storage</c> values, the default first.</summary>
    public static IReadOnlyList<string> Engines { get; } = [Sqlite, LiteDb, Postgres];

    private readonly string? _folder;
    private readonly TestDatabase? _database;
    private readonly PostgresServer? _ownServer;

    private BenchmarkStore(string engine, IBucketStorage storage, string? folder, TestDatabase? database, PostgresServer? ownServer)
    {
        Engine = engine;
        Storage = storage;
        _folder = folder;
        _database = database;
        _ownServer = ownServer;
    }

    public string Engine { get; }
    public IBucketStorage Storage { get; }

    /// <summary>
    /// Opens an empty store. A Postgres store goes in <paramref name="server"/> when given (the scenario's private
    /// Postgres), otherwise in a private Postgres started for it.
    /// </summary>
    public static async Task<BenchmarkStore> OpenAsync(string? engine, PostgresServer? server, CancellationToken ct)
    {
        engine ??= Sqlite;
        if (engine == Postgres)
        {
            var own = server is null ? await PostgresServer.StartAsync(ct) : null;
            var database = await (server ?? own!).CreateDatabaseAsync("bucket-store", ct);
            var storage = await PostgresBucketStorage.OpenAsync(
                new PostgresBucketStorageOptions(NpgsqlDataSource.Create(database.ConnectionString)) { OwnsDataSource = true }, null, ct);
            return new BenchmarkStore(engine, storage, null, database, own);
        }

        var folder = Directory.CreateTempSubdirectory("powersync-bench-store-").FullName;
        IBucketStorage file = engine switch
        {
            Sqlite => SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(folder, "buckets.db"))),
            LiteDb => LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(folder, "buckets.litedb"))),
            _ => throw new ArgumentException($"Unknown storage '{engine}': use {string.Join(", ", Engines)}."),
        };
        return new BenchmarkStore(engine, file, folder, null, null);
    }

    /// <summary>What the store takes on disk: its files, or its tables with their indexes and TOAST.</summary>
    public async Task<long> SizeBytesAsync(CancellationToken ct)
    {
        if (_database is null)
            return new DirectoryInfo(_folder!).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return await _database.ScalarAsync<long>($"""
            SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '{PostgresBucketStorageOptions.DefaultSchema}' AND c.relkind = 'r'
            """, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
        if (_database is not null) await _database.DisposeAsync();
        if (_ownServer is not null) await _ownServer.DisposeAsync();
    }
}
