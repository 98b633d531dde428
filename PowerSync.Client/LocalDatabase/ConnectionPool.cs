using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// One writer connection behind an async lock plus a pool of query-only readers, all in WAL mode.
/// The writer's update hook collects the tables each write touches; they are published after the
/// write commits and dropped when it rolls back.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly SqliteConnection _writer;
    private readonly WalCheckpointer _checkpointer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<SqliteConnection> _readers;
    private readonly List<SqliteConnection> _allReaders;
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly delegate_update _hook;
    private readonly RowMapper _mapper;
    private readonly StatementCache _writerStatements;
    private readonly Dictionary<SqliteConnection, StatementCache> _readerStatements;
    private int _disposed;

    private ConnectionPool(SqliteConnection writer, List<SqliteConnection> readers, RowMapper mapper, WalCheckpointer checkpointer)
    {
        _writer = writer;
        _checkpointer = checkpointer;
        _allReaders = readers;
        _mapper = mapper;
        _writerStatements = new StatementCache(writer);
        _readerStatements = readers.ToDictionary(r => r, r => new StatementCache(r));
        _readers = Channel.CreateUnbounded<SqliteConnection>();
        foreach (var reader in readers) _readers.Writer.TryWrite(reader);
        _hook = (_, _, _, table, _) => Touched(table);
        raw.sqlite3_update_hook(writer.Handle, _hook, null);
    }

    public TableChangeNotifier Changes { get; } = new();

    /// <summary>The NUL-terminated UTF-8 name of the table the hook saw last, already in <see cref="_touched"/>.</summary>
    private byte[] _lastTouched = NoTable;

    private static readonly byte[] NoTable = [0];
    private bool _deferCheckpoint;

    /// <summary>
    /// Called by SQLite for every row written: a bulk write touches one table row after row, so the name
    /// is compared in place with the last one and only turned into a string when it differs.
    /// </summary>
    private void Touched(utf8z table)
    {
        ref readonly var name = ref table.GetPinnableReference();
        var last = _lastTouched;
        for (var i = 0; i < last.Length; i++)
        {
            if (Unsafe.Add(ref Unsafe.AsRef(in name), i) != last[i]) break;
            if (last[i] == 0) return;
        }

        var text = table.utf8_to_string();
        _touched.Add(text);
        _lastTouched = [.. System.Text.Encoding.UTF8.GetBytes(text), 0];
    }

    /// <summary>
    /// For a bulk write whose tables are known, inside <see cref="WriteAsync{T}"/>: stops the update hook (a call into
    /// .NET for every row written) until disposed, and reports <paramref name="tables"/> as changed when the write
    /// commits, whether or not a row of each changed.
    /// </summary>
    public IDisposable ReportChangesAs(IEnumerable<string> tables)
    {
        foreach (var table in tables) _touched.Add(table);
        raw.sqlite3_update_hook(_writer.Handle, (delegate_update?)null, null);
        return new HookRestorer(this);
    }

    private sealed class HookRestorer(ConnectionPool pool) : IDisposable
    {
        public void Dispose()
        {
            pool._lastTouched = NoTable;
            raw.sqlite3_update_hook(pool._writer.Handle, pool._hook, null);
        }
    }

    /// <summary>
    /// Inside <see cref="WriteAsync{T}"/>: the pages this transaction writes wait for the checkpoint of the next
    /// transaction that does not defer (see <see cref="WalCheckpointer"/>). For the saves of a bulk download.
    /// </summary>
    public void DeferCheckpoint() => _deferCheckpoint = true;

    /// <summary>The writer's native handle, for tests only.</summary>
    internal sqlite3 WriterHandle => _writer.Handle!;

    public static async Task<ConnectionPool> OpenAsync(string path, int readers, RowMapper mapper, ILogger logger, CancellationToken cancellationToken)
    {
        Batteries_V2.Init();
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 30 };
        var writer = new SqliteConnection(builder.ToString());
        var list = new List<SqliteConnection>();
        try
        {
            await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ConfigureAsync(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA journal_size_limit=6291456; PRAGMA cache_size=-51200;", cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < readers; i++)
            {
                var reader = new SqliteConnection(builder.ToString());
                list.Add(reader);
                await reader.OpenAsync(cancellationToken).ConfigureAwait(false);
                await ConfigureAsync(reader, "PRAGMA busy_timeout=30000; PRAGMA query_only=true; PRAGMA cache_size=-51200;", cancellationToken).ConfigureAwait(false);
            }

            var checkpointer = await WalCheckpointer.StartAsync(writer, builder.ToString(), logger, cancellationToken).ConfigureAwait(false);
            return new ConnectionPool(writer, list, mapper, checkpointer);
        }
        catch
        {
            foreach (var reader in list) await reader.DisposeAsync().ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ConfigureAsync(SqliteConnection connection, string pragmas, CancellationToken cancellationToken)
    {
        SqlFunctions.Register(connection);
        using var command = connection.CreateCommand();
        command.CommandText = pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the writer inside <c>BEGIN IMMEDIATE</c> ... <c>COMMIT</c>; an
    /// exception rolls back. Changed tables are published after the commit.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqlContext, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> changed;
        T result;
        try
        {
            _touched.Clear();
            _lastTouched = NoTable;
            _deferCheckpoint = false;
            var context = new SqlContext(_writerStatements, _mapper);
            _checkpointer.BeforeTransaction();
            await context.RunAsync("BEGIN IMMEDIATE", cancellationToken).ConfigureAwait(false);
            try
            {
                result = await work(context).ConfigureAwait(false);
                // The transaction id of the upload queue (ps_crud.tx_id) lives for one SQLite transaction.
                await context.RunAsync("UPDATE ps_tx SET current_tx = NULL WHERE id = 1 AND current_tx IS NOT NULL; COMMIT", CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                if (!_writer.Handle!.IsInvalid && raw.sqlite3_get_autocommit(_writer.Handle) == 0)
                    await context.RunAsync("ROLLBACK", CancellationToken.None).ConfigureAwait(false);
                _touched.Clear();
                throw;
            }
            finally
            {
                if (!_writer.Handle!.IsInvalid) _checkpointer.AfterTransaction(_deferCheckpoint);
            }

            changed = new HashSet<string>(_touched, StringComparer.Ordinal);
            _touched.Clear();
        }
        finally
        {
            _writeLock.Release();
        }

        Changes.Publish(changed);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> on a pooled reader inside a read transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<SqlContext, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connection = await _readers.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var context = new SqlContext(_readerStatements[connection], _mapper);
            await context.RunAsync("BEGIN", cancellationToken).ConfigureAwait(false);
            try
            {
                return await work(context).ConfigureAwait(false);
            }
            finally
            {
                await context.RunAsync("COMMIT", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _readers.Writer.TryWrite(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            raw.sqlite3_update_hook(_writer.Handle, (delegate_update?)null, null);
            await _checkpointer.DisposeAsync().ConfigureAwait(false);
            _writerStatements.Dispose();
            foreach (var statements in _readerStatements.Values) statements.Dispose();
            await _writer.DisposeAsync().ConfigureAwait(false);
            foreach (var reader in _allReaders) await reader.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }
    }
}
