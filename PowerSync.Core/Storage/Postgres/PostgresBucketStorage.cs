using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// The bucket store in a Postgres schema, shared by every app instance that opens it. Each sync-rules version has
/// one writer at a time across all instances: <see cref="PostgresWriterLease"/> elects it and fences every commit
/// (a paused or cut-off former writer can never commit after another took over). Every instance serves from the
/// shared tables and learns of new checkpoints through <see cref="PostgresCheckpointListener"/> (notifications,
/// with polling behind them), invalidating its cached checksums before it shows a checkpoint to sessions.
/// </summary>
internal sealed class PostgresBucketStorage : IBucketStorage
{
    private readonly PostgresStorageAdmin _admin;
    private readonly PostgresWriteCheckpointStore _writeCheckpoints;
    private readonly PostgresCheckpointListener _listener;
    private int _disposed;

    private PostgresBucketStorage(PostgresBucketStorageOptions options, Checkpoint? active, ILogger logger)
    {
        Options = options;
        Logger = logger;
        Broadcast = new CheckpointBroadcast(active);
        Checksums = new ChecksumCache(options.ChecksumCacheEntries);
        Reader = new PostgresStorageReader(this);
        _writeCheckpoints = new PostgresWriteCheckpointStore(this);
        Compactor = new PostgresCompactor(this);
        _admin = new PostgresStorageAdmin(this);
        _listener = new PostgresCheckpointListener(this);
    }

    public PostgresBucketStorageOptions Options { get; }
    internal NpgsqlDataSource DataSource => Options.DataSource;
    internal ILogger Logger { get; }

    /// <summary>The schema, for SQL text (validated as a plain identifier).</summary>
    internal string Schema => Options.Schema;

    internal CheckpointBroadcast Broadcast { get; }
    internal ChecksumCache Checksums { get; }

    public IBucketStorageReader Reader { get; }
    public ICheckpointWatcher Checkpoints => Broadcast;
    public IWriteCheckpointStore WriteCheckpoints => _writeCheckpoints;
    public IBucketCompactor Compactor { get; }
    public IBucketStorageAdmin Admin => _admin;

    /// <summary>Opens (creating when missing) the store in <see cref="PostgresBucketStorageOptions.Schema"/> and starts listening for checkpoints.</summary>
    public static async Task<PostgresBucketStorage> OpenAsync(PostgresBucketStorageOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidatePostgres();
        await PostgresSchema.InitializeAsync(options.DataSource, options.Schema, cancellationToken).ConfigureAwait(false);
        var storage = new PostgresBucketStorage(options, null, logger ?? NullLogger.Instance);
        await storage._listener.StartAsync(cancellationToken).ConfigureAwait(false);
        return storage;
    }

    /// <summary>As <see cref="OpenAsync"/>, for callers that open stores synchronously.</summary>
    public static PostgresBucketStorage Open(PostgresBucketStorageOptions options, ILogger? logger = null) =>
        OpenAsync(options, logger, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The active version's latest checkpoint as stored, or null.</summary>
    internal async Task<Checkpoint?> ReadActiveCheckpointAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var cmd = new NpgsqlCommand(
            $"SELECT id, checkpoint_op, checkpoint_lsn FROM {Schema}.sync_rules WHERE state = {(int)SyncRulesState.Active} AND checkpoint_op IS NOT NULL ORDER BY id DESC LIMIT 1",
            connection);
        using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Checkpoint(reader.GetInt64(0), new OpId(reader.GetInt64(1)), StoredLsn.FromStored(reader.GetInt64(2)))
            : null;
    }

    /// <summary>A commit of this instance's writer made a checkpoint: sessions here see it at once (others through the notification).</summary>
    internal void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => Broadcast.Publish(checkpoint, trace);

    /// <summary>A processing version became active: the replaced version's data goes.</summary>
    internal void OnVersionActivated() => _admin.RemoveStoppedVersions();

    internal void OnWriterClosed(long versionId) => _admin.WriterClosed(versionId);

    /// <summary>A write checkpoint was recorded on some instance: forget what is cached of its key.</summary>
    internal void OnWriteCheckpointChanged(WriteCheckpointKey key) => _writeCheckpoints.Forget(key);

    /// <summary>Write-checkpoint notifications may have been missed (the listener reconnected): forget every cached key.</summary>
    internal void OnWriteCheckpointsUnknown() => _writeCheckpoints.Clear();

    /// <summary>The store was reset on some instance.</summary>
    internal void OnReset()
    {
        Checksums.InvalidateAll();
        _writeCheckpoints.Clear();
        Broadcast.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
        if (Options.OwnsDataSource) await Options.DataSource.DisposeAsync().ConfigureAwait(false);
    }
}
