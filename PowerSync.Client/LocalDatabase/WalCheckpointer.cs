using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// Checkpoints the WAL on a connection of its own, off the writer's path. The writer's automatic
/// checkpoint is off; after each of its transactions the pages it wrote are counted, and once
/// <see cref="DefaultPagesPerCheckpoint"/> have accumulated (SQLite's own automatic threshold) a passive
/// checkpoint runs here while the writer goes on with its next transaction: on two cores, a bulk
/// download's page copying no longer stalls the writer. A passive checkpoint never blocks readers or
/// the writer; one that could not copy everything (a reader still needs old frames) is followed by the next.
/// <para>
/// SQLite starts the WAL file over only when a write begins with every frame checkpointed, which a writer
/// that never pauses for its own checkpoints rarely sees. So once a checkpoint reports
/// <see cref="DefaultRestartFrames"/> or more frames in the WAL, the writer copies the frames left itself
/// before its next transaction (<see cref="BeforeTransaction"/>), and that transaction starts the WAL
/// over: the file stays bounded by about that size plus the largest transaction.
/// </para>
/// <para>
/// A transaction may defer its checkpoint (<see cref="AfterTransaction"/> with <c>defer</c>): the saves of
/// a bulk download, whose pages a checkpoint would copy and flush to disk while the download still competes
/// for the CPU and the disk. Their pages are counted on, and the first transaction that does not defer (the
/// download's apply, or any other write) asks for the checkpoint of them all; past
/// <see cref="DefaultMaxDeferredPages"/> pending pages a deferring transaction asks anyway.
/// </para>
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    public const int DefaultPagesPerCheckpoint = 1000;

    /// <summary>WAL frames after which the writer makes the WAL start over (64 MiB of 4 KiB pages).</summary>
    public const int DefaultRestartFrames = 16_384;

    /// <summary>Pages that deferring transactions may leave without a checkpoint (256 MiB of 4 KiB pages).</summary>
    public const int DefaultMaxDeferredPages = 65_536;

    private readonly sqlite3 _writer;
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly int _pagesPerCheckpoint;
    private readonly int _restartFrames;
    private readonly int _maxDeferredPages;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Task _loop;
    private long _pending;
    private long _checkpointed;
    private long _runs;
    private volatile bool _restartDue;
    private TaskCompletionSource<bool> _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WalCheckpointer(sqlite3 writer, SqliteConnection connection, ILogger logger, int pagesPerCheckpoint, int restartFrames, int maxDeferredPages)
    {
        _writer = writer;
        _logger = logger;
        _connection = connection;
        _pagesPerCheckpoint = pagesPerCheckpoint;
        _restartFrames = restartFrames;
        _maxDeferredPages = maxDeferredPages;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Frames the background checkpoints have copied into the database file so far.</summary>
    public long CheckpointedFrames => Interlocked.Read(ref _checkpointed);

    /// <summary>Background checkpoints run so far, whatever their outcome.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Completes once <see cref="Runs"/> reaches <paramref name="runs"/> (each background checkpoint signals when it ends).</summary>
    public async Task WaitForRunsAsync(long runs, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the count is read: a run that ends in between has completed this one.
            var ran = Volatile.Read(ref _ran);
            if (Runs >= runs) return;
            await ran.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The result code of the last background checkpoint that failed other than busy, if any (the next one retries).</summary>
    public int? LastError { get; private set; }

    /// <summary>Turns the writer's automatic checkpoint off and opens the checkpointing connection.</summary>
    public static async Task<WalCheckpointer> StartAsync(
        SqliteConnection writer, string connectionString, ILogger logger, CancellationToken cancellationToken,
        int pagesPerCheckpoint = DefaultPagesPerCheckpoint, int restartFrames = DefaultRestartFrames, int maxDeferredPages = DefaultMaxDeferredPages)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // A connection learns the journal mode when it first reads; until then a checkpoint on it does nothing.
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode";
                var mode = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"The database is in journal mode '{mode}', not WAL; background checkpoints need WAL.");
            }

            Check(raw.sqlite3_wal_autocheckpoint(writer.Handle, 0), writer.Handle!);
            // Pages written before now (schema set-up) start the count.
            Check(raw.sqlite3_db_status(writer.Handle, raw.SQLITE_DBSTATUS_CACHE_WRITE, out _, out _, 1), writer.Handle!);
            return new WalCheckpointer(writer.Handle!, connection, logger, pagesPerCheckpoint, restartFrames, maxDeferredPages);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Called by the writer before each transaction: once the WAL has grown past the restart size, copies
    /// the frames not yet checkpointed so that this transaction starts the WAL over. When that cannot
    /// finish (the background checkpoint holds the lock, or a reader needs old frames) it is tried again
    /// before the next transaction.
    /// </summary>
    public void BeforeTransaction()
    {
        if (!_restartDue) return;
        var rc = raw.sqlite3_wal_checkpoint_v2(_writer, null, raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
        if (rc == raw.SQLITE_OK && log == copied) _restartDue = false;
    }

    /// <summary>
    /// Called by the writer after each transaction: counts the pages it wrote and asks for a checkpoint
    /// when enough have, unless the transaction <paramref name="defer"/>s it and fewer than the deferred
    /// maximum are pending; true when it asked.
    /// </summary>
    public bool AfterTransaction(bool defer = false)
    {
        if (raw.sqlite3_db_status(_writer, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1) != raw.SQLITE_OK) return false;
        _pending += written;
        if (_pending < (defer ? _maxDeferredPages : _pagesPerCheckpoint)) return false;
        _pending = 0;
        _requests.Writer.TryWrite(true);
        return true;
    }

    private async Task RunAsync()
    {
        await foreach (var request in _requests.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var rc = raw.sqlite3_wal_checkpoint_v2(_connection.Handle, null, raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
            if (rc == raw.SQLITE_OK)
            {
                Interlocked.Add(ref _checkpointed, Math.Max(copied, 0));
                if (log >= _restartFrames) _restartDue = true;
            }
            else if (rc != raw.SQLITE_BUSY && rc != raw.SQLITE_LOCKED)
            {
                LastError = rc;
                WalCheckpointerLog.Failed(_logger, rc, raw.sqlite3_errstr(rc).utf8_to_string());
            }

            Interlocked.Increment(ref _runs);
            Interlocked.Exchange(ref _ran, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult(true);
        }
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
    }

    /// <summary>Stops the background checkpoints (one in progress finishes) and closes their connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}

internal static partial class WalCheckpointerLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning,
        Message = "A background WAL checkpoint failed with SQLite error {Code} ({Error}); the WAL keeps the data and the next checkpoint retries")]
    public static partial void Failed(ILogger logger, int code, string error);
}
