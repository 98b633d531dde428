using Npgsql;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Core.Storage.Postgres;
using PowerSync.Core.Storage.Sqlite;

namespace PowerSync.Core.Hosting;

/// <summary>
/// What a <see cref="PowerSyncService"/> runs on: the pool of plain connections to the source database, and the
/// bucket store of the engine the options name. The service disposes both, except a data source it was given.
/// </summary>
internal sealed record PowerSyncParts(NpgsqlDataSource Source, bool OwnsSource, IBucketStorage Storage, CheckpointBroadcast Checkpoints)
{
    /// <summary>
    /// Checks the options (every problem together) and freezes them, then opens the bucket store (created when
    /// missing) and, unless <paramref name="dataSource"/> is given, a pool on <see cref="PowerSyncOptions.SourceConnectionString"/>.
    /// </summary>
    /// <exception cref="PowerSyncException">The options are invalid (<see cref="HostingErrorCodes.InvalidOptions"/>).</exception>
    public static PowerSyncParts Open(PowerSyncOptions options, NpgsqlDataSource? dataSource, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateAndFreeze();
        var source = dataSource ?? NpgsqlDataSource.Create(options.SourceConnectionString!);
        try
        {
            var (storage, checkpoints) = OpenStorage(options, loggers);
            return new PowerSyncParts(source, OwnsSource: dataSource is null, storage, checkpoints);
        }
        catch
        {
            if (dataSource is null) source.Dispose();
            throw;
        }
    }

    private static (IBucketStorage Storage, CheckpointBroadcast Checkpoints) OpenStorage(PowerSyncOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggers)
    {
        var engine = options.StorageEngine;
        switch (engine)
        {
            case BucketStorageEngine.Sqlite:
                var sqlite = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(options.StoragePath));
                return (sqlite, sqlite.Broadcast);
            case BucketStorageEngine.LiteDb:
                var liteDb = LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(options.StoragePath));
                return (liteDb, liteDb.Broadcast);
            case BucketStorageEngine.Postgres:
                // A pool of its own, even on the source database: the store's connections (one writer, one listener,
                // sessions' reads) never wait behind the source queries' pool, nor the other way round.
                var postgres = PostgresBucketStorage.Open(new PostgresBucketStorageOptions(
                    NpgsqlDataSource.Create(options.StorageConnectionString ?? options.SourceConnectionString!), options.StorageSchema)
                {
                    OwnsDataSource = true,
                    LeaseDuration = options.ReplicationLeaseDuration,
                }, loggers?.CreateLogger(PowerSyncEvents.StorageCategory));
                return (postgres, postgres.Broadcast);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), engine, "Not a bucket storage engine (the options check refuses it before this).");
        }
    }
}
