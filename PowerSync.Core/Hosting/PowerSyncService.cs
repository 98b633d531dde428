using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PowerSync.Core.Auth;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Hosting;

/// <summary>
/// PowerSync inside a host application: owns the bucket store, replicates the source database
/// through the sync rules, and serves sync sessions. <c>services.AddPowerSync(...)</c> composes and
/// starts one; <c>app.MapPowerSync()</c> exposes its endpoints.
/// </summary>
public sealed class PowerSyncService : IAsyncDisposable
{
    private readonly PowerSyncOptions _options;
    private readonly ILogger _logger;
    private readonly ILogger _rulesLogger;
    private readonly NpgsqlDataSource _source;
    private readonly bool _ownsSource;
    private readonly IBucketStorage _storage;
    private readonly CheckpointBroadcast _checkpoints;
    private readonly JwksKeySource _keys;
    private readonly JwtAuthenticator _authenticator;
    private readonly SyncMetrics _metrics;
    private readonly ReplicationSupervisor _replication;
    private readonly RetiredSlots _retiredSlots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly ReplicationMetrics _replicationMetrics;

    /// <summary>
    /// A service without dependency injection (<c>services.AddPowerSync(...)</c> makes one for an app): checks the options
    /// (every problem reported together) and freezes them, then opens the bucket store they name and a pool of
    /// connections on <see cref="PowerSyncOptions.SourceConnectionString"/>. Call <see cref="StartAsync"/> to replicate.
    /// </summary>
    /// <exception cref="PowerSyncException">The options are invalid (PSYNC_S0001); the message lists what to change.</exception>
    public PowerSyncService(PowerSyncOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, PowerSyncParts.Open(options, dataSource: null), loggerFactory, meterFactory)
    {
    }

    /// <summary>The service on what the composition opened for it (the options checked and frozen).</summary>
    internal PowerSyncService(PowerSyncOptions options, PowerSyncParts parts, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        _options = options;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger(PowerSyncEvents.ReplicationCategory);
        _rulesLogger = loggers.CreateLogger(PowerSyncEvents.SyncRulesCategory);
        (_source, _ownsSource, _storage, _checkpoints) = parts;
        _retiredSlots = new RetiredSlots(_source, _storage.Admin, _logger);
        _replicationMetrics = new ReplicationMetrics(meterFactory, () => ReplicationLag, () => _replication?.Commits ?? 0);
        _replication = new ReplicationSupervisor(_source, _storage.Admin,
            new ReplicationSettings(options.SourceConnectionString!, options.PublicationName, options.ReplicationTimeout, _replicationMetrics), _logger, _retiredSlots.Wake);
        _keys = new JwksKeySource(options.Auth, null, TimeProvider.System, loggers.CreateLogger(PowerSyncEvents.AuthCategory));
        _metrics = new SyncMetrics(meterFactory);
        _authenticator = new JwtAuthenticator(options.Auth, _keys, TimeProvider.System);
        Endpoints = new SyncEndpoints(
            _authenticator,
            _storage,
            new SyncRulesBucketResolver(_replication.RulesOf, _storage.Reader, options.MaxBucketsPerConnection),
            new PostgresReplicationHead(_source),
            new SyncSessionOptions(MaxBucketsPerConnection: options.MaxBucketsPerConnection, MaxSubscriptionsPerConnection: options.MaxSubscriptionsPerConnection),
            new SyncEndpointLimits(options.MaxConcurrentConnections, options.MaxRequestBodyBytes, options.MaxStreamsPerUser),
            _metrics,
            loggers.CreateLogger(PowerSyncEvents.SyncCategory),
            TimeProvider.System);
    }

    internal SyncEndpoints Endpoints { get; }

    /// <summary>
    /// Checks an <c>Authorization</c> header (<c>Bearer &lt;jwt&gt;</c> or <c>Token &lt;jwt&gt;</c>) exactly as the sync
    /// endpoints do, and returns the user id the sync rules see (<c>request.user_id()</c>: the token's <c>sub</c>).
    /// For the app's own endpoints that clients call with their PowerSync token, such as the upload endpoint.
    /// </summary>
    /// <exception cref="PowerSyncException">The token is missing or refused; the code says why (PSYNC_S2101-S2106, PSYNC_S2204).</exception>
    public async Task<string> AuthenticateAsync(string? authorization, CancellationToken cancellationToken = default) =>
        (await _authenticator.AuthenticateAsync(authorization, cancellationToken).ConfigureAwait(false)).UserId;

    internal IBucketStorage Storage => _storage;

    /// <summary>The failure replication is in now (null while it works: cleared once it streams again).</summary>
    public Exception? ReplicationError => ReplicationFailure?.Exception;

    /// <summary>The failure replication of any version here is in now, with its code and since when; null while all work.</summary>
    internal ReplicationFailure? ReplicationFailure => Replications.Select(r => r.Progress.Failure).FirstOrDefault(f => f is not null);

    /// <summary>
    /// How far replication of the served version is behind the source: how long ago the source was at the oldest
    /// position not yet durable in the bucket store. Zero when caught up (also on an idle source); null before
    /// replication reported anything.
    /// </summary>
    public TimeSpan? ReplicationLag => ServingReplication?.Progress.Lag();

    /// <summary>The options the service runs with.</summary>
    internal PowerSyncOptions Options => _options;

    /// <summary>The versions replicating here, with how each stands.</summary>
    internal IReadOnlyList<(SyncRulesVersion Version, ReplicationProgress Progress)> Replications => _replication.Replications;

    /// <summary>The replication of the version clients are served from (else, before the first checkpoint, the oldest replicating).</summary>
    internal (SyncRulesVersion Version, ReplicationProgress Progress)? ServingReplication => _replication.Serving(_checkpoints.Latest?.RulesVersion);

    /// <summary>Where the source's WAL is and what a slot retains of it (for health checks).</summary>
    internal Task<SourceWalPosition> ProbeSourceAsync(string slotName, CancellationToken cancellationToken) => SourceWalPosition.ReadAsync(_source, slotName, cancellationToken);

    /// <summary>Whether the bucket store answers a query (for health checks); the error when it does not.</summary>
    internal async Task<Exception?> ProbeStorageAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _storage.Admin.GetActiveAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    /// <summary>Whether clients can be served: a checkpoint exists.</summary>
    public bool HasCheckpoint => _checkpoints.Latest is not null;

    /// <summary>
    /// What checking the sync rules against the source database found at start-up (each with the rules file,
    /// line and column): tables missing or not published, unknown columns, tables without replica identity,
    /// inactive old slots. Empty when everything matched, before start, or when the source could not be reached.
    /// </summary>
    public IReadOnlyList<SourceValidationProblem> SourceValidationProblems => Volatile.Read(ref _sourceValidationProblems);

    private IReadOnlyList<SourceValidationProblem> _sourceValidationProblems = [];

    /// <summary>Deploys the configured sync rules (a changed version replicates in the background) and starts replication.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var content = _options.SyncRules ?? await File.ReadAllTextAsync(_options.SyncRulesPath!, cancellationToken).ConfigureAwait(false);
        // Reject bad rules before anything is stored or replicated: the exception lists every error with its line.
        var rules = SyncRulesSet.Parse(content, new SyncRulesParseOptions { FileName = _options.SyncRulesPath });
        Volatile.Write(ref _sourceValidationProblems,
            await StartupSourceValidation.RunAsync(_source, _storage.Admin, _options, rules, _rulesLogger, cancellationToken).ConfigureAwait(false));
        var deployed = await _storage.Admin.DeployAsync(content, cancellationToken).ConfigureAwait(false);
        var active = await _storage.Admin.GetActiveAsync(cancellationToken).ConfigureAwait(false);
        if (active is not null && active.Id != deployed.Id) _replication.Start(active);
        _replication.Start(deployed);
        lock (_background)
        {
            _background.Add(Task.Run(() => _retiredSlots.RunAsync(_stopping.Token), CancellationToken.None));
            _background.Add(Task.Run(() => _replication.WatchActivationsAsync(_storage.Checkpoints, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops replication (in-flight source transactions are replayed on the next start).</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _replication.StopAsync().ConfigureAwait(false);
        Task[] running;
        lock (_background) running = [.. _background];
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _storage.DisposeAsync().ConfigureAwait(false);
        if (_ownsSource) await _source.DisposeAsync().ConfigureAwait(false);
        _keys.Dispose();
        _metrics.Dispose();
        _replicationMetrics.Dispose();
        _stopping.Dispose();
        _replication.Dispose();
        _retiredSlots.Dispose();
    }
}
