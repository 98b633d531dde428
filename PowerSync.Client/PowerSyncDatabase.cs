using Microsoft.Extensions.Logging.Abstractions;
using PowerSync.Client.Crud;
using PowerSync.Client.Status;
using PowerSync.Client.LocalDatabase;
using PowerSync.Client.Sync;
using PowerSync.Client.Tables;
using PowerSync.Client.Watch;

namespace PowerSync.Client;

/// <summary>
/// A local SQLite database that syncs with a PowerSync service: query and write it with plain SQL
/// (online or offline), connect it with <see cref="ConnectAsync"/>, and watch queries and the sync
/// status. Open it with <see cref="OpenAsync(PowerSyncDatabaseOptions, CancellationToken)"/>.
/// </summary>
public sealed class PowerSyncDatabase : ISqlContext, IAsyncDisposable
{
    private readonly ConnectionPool _pool;
    private readonly PowerSyncDatabaseOptions _options;
    private readonly LocalOplog _storage;
    private readonly CrudQueue _queue;
    private readonly SyncStatusTracker _status;
    private readonly EventDispatcher _events;
    private readonly ClientMetrics _metrics;
    private readonly ISyncTransport _transport;
    private readonly HttpClient? _ownedHttp;
    private readonly TimeProvider _time;
    private readonly StreamSubscriptions _streams;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private Schema _schema;
    private SyncSession? _session;
    private int _disposed;

    private PowerSyncDatabase(PowerSyncDatabaseOptions options, ConnectionPool pool, ISyncTransport? transport, TimeProvider time)
    {
        _time = time;
        _options = options;
        _pool = pool;
        _schema = options.Schema;
        var logger = options.Logger ?? NullLogger.Instance;
        _events = new EventDispatcher(logger);
        _status = new SyncStatusTracker(status => _events.Post(nameof(StatusChanged), () => StatusChanged?.Invoke(this, new SyncStatusChangedEventArgs(status))));
        _storage = new LocalOplog(pool, () => _schema, options.BulkRowLimit, new UntypedTables(logger));
        _queue = new CrudQueue(pool);
        _metrics = ClientMetrics.For(options.MeterFactory);
        _streams = new StreamSubscriptions(new StreamSubscriptionStore(pool, time, new SubscriptionErrorLog(logger)));
        if (transport is null)
        {
            _ownedHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            transport = new HttpSyncTransport(_ownedHttp);
        }

        _transport = transport;
    }

    /// <summary>Opens (or creates) the database, applies the schema and reads the offline sync state.</summary>
    public static Task<PowerSyncDatabase> OpenAsync(PowerSyncDatabaseOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, null, null, cancellationToken);

    /// <summary>Opens with a transport and a clock of the caller's (tests: a scripted clock for the checkpoint-request retry timer).</summary>
    internal static async Task<PowerSyncDatabase> OpenAsync(PowerSyncDatabaseOptions options, ISyncTransport? transport, TimeProvider? time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pool = await ConnectionPool.OpenAsync(options.DatabasePath, options.ReadPoolSize, new RowMapper(), options.Logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        var database = new PowerSyncDatabase(options, pool, transport, time ?? TimeProvider.System);
        try
        {
            await pool.WriteAsync(async db =>
            {
                await SchemaManager.ApplyAsync(db, options.Schema, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            var priorities = await database._storage.LoadPriorityStatusAsync(cancellationToken).ConfigureAwait(false);
            var full = priorities.FirstOrDefault(p => p.Priority == InternalTables.FullSyncPriority);
            database._status.Update(s => s with { HasSynced = full is not null, LastSyncedAt = full?.LastSyncedAt, PriorityStatus = priorities });
            await database.RefreshStreamStatusAsync(cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Raised after each change of <see cref="CurrentStatus"/> (connecting, connected, downloading with its progress,
    /// uploading, errors, a checkpoint applied). Events are raised on a background task, one at a time and in order, so
    /// a handler never holds up syncing: a UI app hands the status to its dispatcher. A handler's exception is logged.
    /// </summary>
    public event EventHandler<SyncStatusChangedEventArgs>? StatusChanged;

    /// <summary>Raised after <see cref="UpdateSchemaAsync"/> replaced the schema (on the events' background task).</summary>
    public event EventHandler<SchemaChangedEventArgs>? SchemaChanged;

    /// <summary>
    /// Raised once when <see cref="DisposeAsync"/> has disconnected and closed every connection, after every other
    /// event (on the disposing thread).
    /// </summary>
    public event EventHandler? Closed;

    /// <summary>The schema in use.</summary>
    public Schema Schema => _schema;

    /// <summary>The connections (for tests that reach into SQLite, e.g. to stop the writer mid-statement).</summary>
    internal ConnectionPool Pool => _pool;

    /// <summary>The current sync status.</summary>
    public SyncStatus CurrentStatus => _status.Current;

    /// <summary>The current sync status, then each change (intermediate states may be skipped by a slow reader).</summary>
    public IAsyncEnumerable<SyncStatus> WatchStatusAsync(CancellationToken cancellationToken = default) => _status.WatchAsync(cancellationToken);

    /// <summary>Waits until the status satisfies <paramref name="predicate"/> and returns that status.</summary>
    public Task<SyncStatus> WaitForStatusAsync(Func<SyncStatus, bool> predicate, CancellationToken cancellationToken = default) =>
        _status.WaitForAsync(predicate, cancellationToken);

    /// <summary>
    /// Waits until a full checkpoint was applied, or, with <paramref name="priority"/>, until every bucket
    /// with that priority number or a smaller one was synced. Throws a <see cref="PowerSyncClientException"/> with the
    /// error's code when the sync stream fails in a way that waiting does not fix: the service refused the token the
    /// connector had just fetched or the connector returned none (<see cref="ClientErrorCodes.Unauthorized"/>), the
    /// service rejected the request (<see cref="ClientErrorCodes.SyncRequestRejected"/>: the endpoint, the parameters),
    /// or it broke the protocol. Sync goes on retrying meanwhile; network failures only make the wait longer.
    /// </summary>
    public Task WaitForFirstSyncAsync(int? priority = null, CancellationToken cancellationToken = default) =>
        _status.WaitForAsync(s => priority is { } p ? s.StatusForPriority(p).HasSynced : s.HasSynced == true, s => s.ErrorEndingWaits,
            "WaitForFirstSyncAsync", cancellationToken);

    /// <summary>
    /// Syncs now ("sync now", <c>requestCheckpoint</c> in the official SDKs): asks the service for a new write checkpoint
    /// (a checkpoint request, or a legacy write checkpoint) and completes once the local tables show the service's
    /// state as of that moment, including every write of this client uploaded before the call. Writes still queued hold
    /// the checkpoint back until they are uploaded too. Needs a connection (<see cref="ConnectAsync"/>); throws
    /// <see cref="ClientErrorCodes.InvalidState"/> without one or when disconnected before the checkpoint arrives, the
    /// service's error when it refuses the request, and, like <see cref="WaitForFirstSyncAsync"/>, the sync stream's
    /// errors that waiting does not fix.
    /// </summary>
    public async Task RequestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var session = _session ?? throw new PowerSyncClientException(ClientErrorCodes.InvalidState, "RequestCheckpointAsync needs a connection: call ConnectAsync first.");
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(session.Stopped, cancellationToken);
        long? requested = null;
        try
        {
            var id = await session.RequestWriteCheckpointAsync(waiting.Token).ConfigureAwait(false);
            requested = id;
            await _status.WaitForAsync(s => s.AppliedWriteCheckpoint >= id, s => s.ErrorEndingWaits ?? (s.UploadError is PowerSyncClientException { IsTransient: false } upload ? upload : null),
                "RequestCheckpointAsync", waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.Stopped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var what = requested is { } id ? $"write checkpoint {id.ToString(System.Globalization.CultureInfo.InvariantCulture)} was applied" : "the service answered";
            throw new PowerSyncClientException(ClientErrorCodes.InvalidState, $"Disconnected before {what}; connect again and request a new checkpoint.");
        }
    }

    /// <summary>
    /// The stream <paramref name="name"/> of the service's sync config with a subscription's <paramref name="parameters"/>
    /// (read in its queries with <c>subscription.parameter('key')</c>): <see cref="SyncStream.SubscribeAsync"/> syncs it.
    /// Each (name, parameters) pair is its own subscription.
    /// </summary>
    public SyncStream SyncStream(string name, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, "A sync stream needs the name of a stream of the service's sync config.");
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return new SyncStream(this, _streams, name, parameters);
    }

    /// <summary>Shows the stored subscriptions in the status while no connection resolves them (a connection does at each checkpoint).</summary>
    internal async Task RefreshStreamStatusAsync(CancellationToken cancellationToken)
    {
        if (_session is not null) return;
        var states = await _streams.Store.LoadAsync(cancellationToken).ConfigureAwait(false);
        _status.Update(s => s with { SyncStreams = states.Select(x => x.ToStatus(null)).ToList() });
    }

    /// <summary>Waits until the subscription <paramref name="key"/> has synced; see <see cref="SyncStreamSubscription.WaitForFirstSyncAsync"/>.</summary>
    internal Task WaitForStreamAsync(StreamKey key, CancellationToken cancellationToken) =>
        _status.WaitForAsync(s => s.ForKey(key)?.HasSynced == true, s => s.ForKey(key)?.Error ?? s.ErrorEndingWaits, "WaitForFirstSyncAsync", cancellationToken);

    /// <summary>This client's id (stable across <see cref="DisconnectAndClearAsync"/>).</summary>
    public Task<string> GetClientIdAsync(CancellationToken cancellationToken = default) => _storage.GetClientIdAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<ExecuteResult> ExecuteAsync(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default) =>
        _pool.WriteAsync(db => db.ExecuteAsync(sql, args, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<ExecuteResult> ExecuteBatchAsync(string sql, IReadOnlyList<IReadOnlyList<object?>> parameterSets, CancellationToken cancellationToken = default) =>
        _pool.WriteAsync(db => db.ExecuteBatchAsync(sql, parameterSets, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<T>> GetAllAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default) =>
        _pool.ReadAsync(db => db.GetAllAsync<T>(sql, args, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<T?> GetOptionalAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default) =>
        _pool.ReadAsync(db => db.GetOptionalAsync<T>(sql, args, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<T> GetAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default) =>
        _pool.ReadAsync(db => db.GetAsync<T>(sql, args, cancellationToken), cancellationToken);

    // The two overloads differ in what the work returns, as the official SDKs' writeTransaction does; each keeps its
    // optional token (RS0026 guards against adding optional parameters to an existing overload, which this is not).
#pragma warning disable RS0026
    /// <summary>Runs <paramref name="work"/> in one write transaction: committed when it returns, rolled back when it throws.</summary>
    public Task<T> WriteTransactionAsync<T>(Func<ISqlContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _pool.WriteAsync(db => work(db, cancellationToken), cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction: committed when it returns, rolled back when it throws.</summary>
    public Task WriteTransactionAsync(Func<ISqlContext, CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _pool.WriteAsync(async db =>
        {
            await work(db, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }
#pragma warning restore RS0026

    /// <summary>Runs <paramref name="work"/> in one read transaction on a pooled read connection (a consistent snapshot).</summary>
    public Task<T> ReadTransactionAsync<T>(Func<ISqlContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _pool.ReadAsync(db => work(db, cancellationToken), cancellationToken);
    }

    // With options the token stays optional, as everywhere (RS0026 guards against adding optional parameters to an
    // existing overload, which this is not: the options are required in the second).
#pragma warning disable RS0026
    /// <summary>
    /// Emits the query's current result, then a new result each time a committed write (local or
    /// synced) changes a table the query reads, at most once per <see cref="PowerSyncDatabaseOptions.WatchThrottle"/>.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<T>> WatchAsync<T>(string sql, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default) =>
        WatchQuery.RunAsync<T>(_pool, sql, args, null, _options.WatchThrottle, cancellationToken);

    /// <summary>
    /// <see cref="WatchAsync{T}(string, IReadOnlyList{object}, CancellationToken)"/> with this watch's own throttle and,
    /// when <see cref="WatchOptions.Tables"/> names them, the tables whose changes re-run it.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<T>> WatchAsync<T>(string sql, IReadOnlyList<object?>? args, WatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var throttle = options.ThrottleOr(_options.WatchThrottle);
        var tables = options.Tables is { } names ? WatchQuery.TablesNamed(_schema, names) : null;
        return WatchQuery.RunAsync<T>(_pool, sql, args, tables, throttle, cancellationToken);
    }
#pragma warning restore RS0026

    /// <summary>
    /// Reports which of <paramref name="tables"/> committed writes (local or synced) change, without a query (the
    /// official SDKs' <c>onChange</c>): after a change, waits the throttle (<see cref="WatchOptions.Throttle"/>, else
    /// <see cref="PowerSyncDatabaseOptions.WatchThrottle"/>) and reports every watched table changed since, once.
    /// Tables are named as in the schema (a table's or its view's name; other names are SQLite tables, e.g.
    /// <c>ps_crud</c> for the upload queue); null watches every table of the schema.
    /// </summary>
    public IAsyncEnumerable<TableChanges> WatchChangesAsync(IEnumerable<string>? tables = null, WatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        var throttle = (options ?? new WatchOptions()).ThrottleOr(_options.WatchThrottle);
        return WatchQuery.ChangesAsync(_pool, WatchQuery.TablesNamed(_schema, tables), throttle, cancellationToken);
    }

    /// <summary>The writes of the oldest queued local transaction, or null when the queue is empty.</summary>
    public Task<CrudTransaction?> GetNextCrudTransactionAsync(CancellationToken cancellationToken = default) => _queue.GetNextTransactionAsync(cancellationToken);

    /// <summary>Up to <paramref name="limit"/> queued writes in order (may split a transaction), or null when the queue is empty.</summary>
    public Task<CrudBatch?> GetCrudBatchAsync(int limit = 100, CancellationToken cancellationToken = default) => _queue.GetBatchAsync(limit, cancellationToken);

    /// <summary>
    /// How many local writes wait for upload and, with <paramref name="includeSize"/>, their size in bytes (this
    /// reads every entry; the count alone does not).
    /// </summary>
    public Task<UploadQueueStats> GetUploadQueueStatsAsync(bool includeSize = false, CancellationToken cancellationToken = default) =>
        _queue.GetStatsAsync(includeSize, cancellationToken);

    /// <summary>
    /// Starts syncing in the background and returns at once: streams checkpoints, uploads queued writes
    /// through <paramref name="connector"/>, reconnects with backoff. A previous connection is closed first.
    /// </summary>
    public async Task ConnectAsync(IPowerSyncBackendConnector connector, PowerSyncConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connector);
        options ??= new PowerSyncConnectionOptions();
        options.Validate();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopSessionAsync().ConfigureAwait(false);
            _session = SyncSession.Start(new SyncDependencies(this, _pool, _storage, _queue, _status, _transport, _options.Logger ?? NullLogger.Instance, _time, _metrics, _streams), connector, options);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Stops syncing and uploading; local data and the upload queue are kept.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopSessionAsync().ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// Disconnects and deletes all synced data, sync state and queued writes (and local-only tables when
    /// <paramref name="clearLocal"/>); the client id is kept. Use it when the user signs out.
    /// </summary>
    public async Task DisconnectAndClearAsync(bool clearLocal = true, CancellationToken cancellationToken = default)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopSessionAsync().ConfigureAwait(false);
            await _storage.ClearAsync(clearLocal, cancellationToken).ConfigureAwait(false);
            _status.Update(_ => new SyncStatus { HasSynced = false });
            await RefreshStreamStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Replaces the schema without a migration (views and triggers regenerated). Not allowed while connected.</summary>
    public async Task UpdateSchemaAsync(Schema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        (_options with { Schema = schema }).Validate();
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is not null)
                throw new PowerSyncClientException(ClientErrorCodes.InvalidState, "The schema cannot change while connected; call DisconnectAsync first.");
            await _pool.WriteAsync(async db =>
            {
                await SchemaManager.ApplyAsync(db, schema, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            _schema = schema;
            _events.Post(nameof(SchemaChanged), () => SchemaChanged?.Invoke(this, new SchemaChangedEventArgs(schema)));
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task StopSessionAsync()
    {
        if (_session is null) return;
        await _session.DisposeAsync().ConfigureAwait(false);
        _session = null;
    }

    /// <summary>Disconnects and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopSessionAsync().ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }

        await _pool.DisposeAsync().ConfigureAwait(false);
        _ownedHttp?.Dispose();
        _connectLock.Dispose();
        await _events.DisposeAsync().ConfigureAwait(false);
        Closed?.Invoke(this, EventArgs.Empty);
    }
}
