using Microsoft.Data.Sqlite;

namespace PowerSync.Core.Storage.Sqlite;

/// <summary>
/// The embedded bucket store: one SQLite file in WAL mode, one writer per sync-rules version and
/// any number of concurrent readers. Checkpoints are broadcast in-process.
/// </summary>
internal sealed class SqliteBucketStorage : IBucketStorage
{
    private readonly SqliteStorageAdmin _admin;

    private SqliteBucketStorage(SqliteBucketStorageOptions options, Checkpoint? active)
    {
        Options = options;
        Broadcast = new CheckpointBroadcast(active);
        Checksums = new ChecksumCache(options.ChecksumCacheEntries);
        Reader = new SqliteStorageReader(this);
        _writeCheckpoints = new SqliteWriteCheckpointStore(this);
        Compactor = new SqliteCompactor(this);
        _admin = new SqliteStorageAdmin(this);
    }

    public SqliteBucketStorageOptions Options { get; }
    internal CheckpointBroadcast Broadcast { get; }
    internal ChecksumCache Checksums { get; }

    public IBucketStorageReader Reader { get; }
    public ICheckpointWatcher Checkpoints => Broadcast;
    private readonly SqliteWriteCheckpointStore _writeCheckpoints;

    public IWriteCheckpointStore WriteCheckpoints => _writeCheckpoints;

    internal void ForgetWriteCheckpoints() => _writeCheckpoints.Clear();
    public IBucketCompactor Compactor { get; }
    public IBucketStorageAdmin Admin => _admin;

    /// <summary>Opens (creating when missing) the store at <see cref="BucketStorageOptions.Path"/>.</summary>
    public static SqliteBucketStorage Open(SqliteBucketStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var connection = SqliteSchema.Open(options.Path, options.FullSync);
        SqliteSchema.Initialize(connection);
        return new SqliteBucketStorage(options, LoadActiveCheckpoint(connection));
    }

    private static Checkpoint? LoadActiveCheckpoint(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT id, checkpoint_op, checkpoint_lsn FROM sync_rules WHERE state = {(int)SyncRulesState.Active} AND checkpoint_op IS NOT NULL ORDER BY id DESC LIMIT 1";
        using var reader = cmd.ExecuteReader();
        return reader.Read()
            ? new Checkpoint(reader.GetInt64(0), new OpId(reader.GetInt64(1)), StoredLsn.FromStored(reader.GetInt64(2)))
            : null;
    }

    internal SqliteConnection OpenReadConnection() => SqliteSchema.Open(Options.Path, fullSync: false);

    internal SqliteConnection OpenWriteConnection() => SqliteSchema.Open(Options.Path, Options.FullSync);

    internal void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => Broadcast.Publish(checkpoint, trace);

    /// <summary>A processing version became active: the replaced version's data goes.</summary>
    internal void OnVersionActivated(long versionId) => _admin.RemoveStoppedVersions(CancellationToken.None);

    internal void OnWriterClosed(long versionId) => _admin.WriterClosed(versionId);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(SqliteSchema.ConnectionString(Options.Path)));
        return ValueTask.CompletedTask;
    }
}
