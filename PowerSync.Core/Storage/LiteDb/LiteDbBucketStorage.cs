using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// A bucket store in one LiteDB file: one writer per sync-rules version and any number of concurrent
/// readers; checkpoints are broadcast in-process.
/// <para>
/// Atomicity: everything a writer saves between two commits is one LiteDB transaction. LiteDB binds a
/// transaction to the thread that began it, so each writer runs its storage work on a thread of its own;
/// LiteDB spills a growing transaction's pages to its log file uncommitted, so memory stays bounded. A
/// failure rolls the transaction back; an interrupted process leaves uncommitted pages that LiteDB ignores
/// when it reopens the file.
/// </para>
/// <para>
/// Durability: LiteDB 5 commits by appending the transaction's pages to the <c>-log</c> file with plain
/// writes and never fsyncs it (only its checkpoint, which copies the log into the data file, flushes the
/// data file). So a commit returns once the operating system has the pages: it survives the process
/// crashing, not a power cut. With <see cref="BucketStorageOptions.FullSync"/> on, <see cref="CommitFlusher"/>
/// fsyncs the log file after each commit (one fsync covering every commit before it), and only then is the
/// checkpoint published and the commit's task completed, so nothing is visible or acknowledged to Postgres
/// before it would survive a power cut.
/// </para>
/// <para>
/// Concurrency: readers never wait (each query reads a committed snapshot). LiteDB locks each collection
/// a transaction writes until it ends, so compaction, removal of a replaced version and a second version's
/// writer wait (up to LiteDB's lock timeout, a minute) while a writer's source transaction is open.
/// </para>
/// </summary>
internal sealed class LiteDbBucketStorage : IBucketStorage
{
    private readonly LiteDbStorageAdmin _admin;
    private int _disposed;

    private LiteDbBucketStorage(LiteDbBucketStorageOptions options, LiteDatabase database, Checkpoint? active)
    {
        Options = options;
        Database = database;
        Broadcast = new CheckpointBroadcast(active);
        Checksums = new ChecksumCache(options.ChecksumCacheEntries);
        Reader = new LiteDbStorageReader(this);
        WriteCheckpoints = new LiteDbWriteCheckpointStore(this);
        Compactor = new LiteDbCompactor(this);
        _admin = new LiteDbStorageAdmin(this);
    }

    public LiteDbBucketStorageOptions Options { get; }
    internal LiteDatabase Database { get; }
    internal CheckpointBroadcast Broadcast { get; }

    /// <summary>
    /// Held by a writer from the start of its transaction to its commit or rollback: one writer transaction
    /// at a time, as in SQLite. LiteDB locks each collection a transaction writes until it ends, so two
    /// writers' long transactions (an active and a processing version) could otherwise each hold a
    /// collection the other waits for.
    /// </summary>
    internal SemaphoreSlim WriterGate { get; } = new(1, 1);

    /// <summary>How long a writer waits for another writer's transaction, as LiteDB waits for a collection lock.</summary>
    internal static readonly TimeSpan WriterGateTimeout = TimeSpan.FromMinutes(1);
    internal ChecksumCache Checksums { get; }

    /// <summary>LiteDB's log file, which every commit appends to.</summary>
    internal string LogPath
    {
        get
        {
            var full = System.IO.Path.GetFullPath(Options.Path);
            return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!,
                System.IO.Path.GetFileNameWithoutExtension(full) + "-log" + System.IO.Path.GetExtension(full));
        }
    }

    public IBucketStorageReader Reader { get; }
    public ICheckpointWatcher Checkpoints => Broadcast;
    public IWriteCheckpointStore WriteCheckpoints { get; }
    public IBucketCompactor Compactor { get; }
    public IBucketStorageAdmin Admin => _admin;

    /// <summary>Opens (creating when missing) the store at <see cref="BucketStorageOptions.Path"/>.</summary>
    public static LiteDbBucketStorage Open(LiteDbBucketStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var database = LiteDbFiles.Acquire(options.Path);
        try
        {
            LiteDbSchema.Initialize(database, options.Path);
            return new LiteDbBucketStorage(options, database, LiteDbSchema.LoadActiveCheckpoint(database));
        }
        catch
        {
            LiteDbFiles.Release(options.Path);
            throw;
        }
    }

    internal void PublishCheckpoint(Checkpoint checkpoint, System.Diagnostics.ActivityContext trace) => Broadcast.Publish(checkpoint, trace);

    /// <summary>A processing version became active: the replaced version's data goes.</summary>
    internal void OnVersionActivated() => _admin.RemoveStoppedVersions(CancellationToken.None);

    internal void OnWriterClosed(long versionId) => _admin.WriterClosed(versionId);

    /// <summary>
    /// Runs <paramref name="work"/> in one LiteDB transaction on the calling thread (LiteDB ties a
    /// transaction to its thread, so <paramref name="work"/> must not await): committed when it returns,
    /// rolled back when it throws. Reads in it see one consistent state of each collection.
    /// </summary>
    internal T InTransaction<T>(Func<LiteDatabase, T> work)
    {
        if (!Database.BeginTrans())
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread; bucket store calls cannot nest.");
        try
        {
            var result = work(Database);
            Database.Commit();
            return result;
        }
        catch
        {
            Database.Rollback();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) LiteDbFiles.Release(Options.Path);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One open <see cref="LiteDatabase"/> per file in this process, shared by every store object opened on
/// it and closed when the last one is disposed. LiteDB itself does not keep a second process out: on
/// Linux and macOS its file is shared with any other process that opens it for writing too, and two
/// processes writing one LiteDB file corrupt it. So the first opener in a process also holds the store's
/// lock file (<c>&lt;name&gt;-lock&lt;ext&gt;</c> beside it, opened without sharing: an exclusive
/// <c>flock</c> on Unix, a sharing lock on Windows) until the file is closed, and a second process is refused.
/// </summary>
internal static class LiteDbFiles
{
    private static readonly Dictionary<string, (LiteDatabase Database, FileStream Lock, int Users)> Open = new(StringComparer.Ordinal);

    /// <summary>The lock file of the store at <paramref name="path"/>: <c>&lt;name&gt;-lock&lt;ext&gt;</c> beside it, as LiteDB names its <c>-log</c>.</summary>
    public static string LockPath(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + "-lock" + Path.GetExtension(full));
    }

    /// <exception cref="PowerSyncException">Another process has the store open (<see cref="StorageErrorCodes.StoreInUse"/>).</exception>
    public static LiteDatabase Acquire(string path)
    {
        var full = Path.GetFullPath(path);
        lock (Open)
        {
            if (Open.TryGetValue(full, out var entry))
            {
                Open[full] = (entry.Database, entry.Lock, entry.Users + 1);
                return entry.Database;
            }
            var folder = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            var fileLock = TakeLock(full);
            try
            {
                var database = new LiteDatabase(new ConnectionString { Filename = full, Connection = ConnectionType.Direct });
                Open[full] = (database, fileLock, 1);
                return database;
            }
            catch
            {
                fileLock.Dispose();
                throw;
            }
        }
    }

    public static void Release(string path)
    {
        var full = Path.GetFullPath(path);
        lock (Open)
        {
            if (!Open.TryGetValue(full, out var entry)) return;
            if (entry.Users > 1)
            {
                Open[full] = (entry.Database, entry.Lock, entry.Users - 1);
                return;
            }
            Open.Remove(full);
            entry.Database.Dispose();
            // Released after the database is closed: the next process finds its last commit in the file.
            entry.Lock.Dispose();
        }
    }

    private static FileStream TakeLock(string full)
    {
        var lockPath = LockPath(full);
        try
        {
            // Left in place when released: deleting it would let a process that opened it just before lock a file no one else sees.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new PowerSyncException(StorageErrorCodes.StoreInUse,
                $"The LiteDB bucket store '{full}' is open in another process (it holds '{lockPath}'). A LiteDB store can be used by one " +
                "process at a time, since two writers would corrupt it: stop the other process (the app) first, or use the SQLite engine, " +
                "whose store several processes can use at once.", e);
        }
    }
}
