using System.Collections.Concurrent;
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
    private readonly NpgsqlDataSource _source;
    private readonly bool _ownsSource;
    private readonly IBucketStorage _storage;
    private readonly CheckpointBroadcast _checkpoints;
    private readonly JwksKeySource _keys;
    private readonly JwtAuthenticator _authenticator;
    private readonly SyncMetrics _metrics;
    private readonly ConcurrentDictionary<long, SyncRulesSet> _rules = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _replicators = [];
    private readonly HashSet<long> _replicating = [];
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _replicatorStops = new();
    private readonly SemaphoreSlim _slotsToDrop = new(0);
    private static readonly TimeSpan RetiredSlotRetry = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<long, (SyncRulesVersion Version, ReplicationProgress Progress)> _progress = new();
    private long _commitsOfReplacedVersions;
    private readonly System.Diagnostics.Metrics.Meter _meter;

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
        _logger = loggers.CreateLogger("PowerSync");
        (_source, _ownsSource, _storage, _checkpoints) = parts;
        _keys = new JwksKeySource(options.Auth, null, TimeProvider.System);
        _metrics = new SyncMetrics(meterFactory);
        _meter = meterFactory?.Create(SyncMetrics.MeterName + ".Replication") ?? new System.Diagnostics.Metrics.Meter(SyncMetrics.MeterName + ".Replication");
        _meter.CreateObservableGauge("powersync.replication.lag", () => ReplicationLag?.TotalSeconds ?? 0, "s",
            "How long ago the source was at the oldest position replication has not made durable yet (zero when caught up).");
        _meter.CreateObservableCounter("powersync.replication.storage_commits",
            () => Interlocked.Read(ref _commitsOfReplacedVersions) + _progress.Values.Sum(p => p.Progress.Commits),
            description: "Storage commits (checkpoints) made by replication.");
        _authenticator = new JwtAuthenticator(options.Auth, _keys, TimeProvider.System);
        Endpoints = new SyncEndpoints(
            _authenticator,
            _storage,
            new SyncRulesBucketResolver(RulesOf, _storage.Reader, options.MaxBucketsPerConnection),
            new PostgresReplicationHead(_source),
            new SyncSessionOptions(MaxBucketsPerConnection: options.MaxBucketsPerConnection, MaxSubscriptionsPerConnection: options.MaxSubscriptionsPerConnection),
            new SyncEndpointLimits(options.MaxConcurrentConnections, options.MaxRequestBodyBytes, options.MaxStreamsPerUser),
            _metrics,
            loggers.CreateLogger("PowerSync.Sync"),
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
    internal IReadOnlyList<(SyncRulesVersion Version, ReplicationProgress Progress)> Replications =>
        [.. _progress.Values.OrderBy(r => r.Version.Id)];

    /// <summary>The replication of the version clients are served from (else, before the first checkpoint, the oldest replicating).</summary>
    internal (SyncRulesVersion Version, ReplicationProgress Progress)? ServingReplication =>
        _checkpoints.Latest is { } latest && _progress.TryGetValue(latest.RulesVersion, out var serving)
            ? serving
            : Replications.Count > 0 ? Replications[0] : null;

    /// <summary>Where the source's WAL is and what a slot retains of it (for health checks).</summary>
    internal Task<SourceWalPosition> ProbeSourceAsync(string slotName, CancellationToken ct) => SourceWalPosition.ReadAsync(_source, slotName, ct);

    /// <summary>Whether the bucket store answers a query (for health checks); the error when it does not.</summary>
    internal async Task<Exception?> ProbeStorageAsync(CancellationToken ct)
    {
        try
        {
            await _storage.Admin.GetActiveAsync(ct).ConfigureAwait(false);
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
    public async Task StartAsync(CancellationToken ct)
    {
        var content = _options.SyncRules ?? await File.ReadAllTextAsync(_options.SyncRulesPath!, ct).ConfigureAwait(false);
        // Reject bad rules before anything is stored or replicated: the exception lists every error with its line.
        var rules = SyncRulesSet.Parse(content, new SyncRulesParseOptions { FileName = _options.SyncRulesPath });
        Volatile.Write(ref _sourceValidationProblems,
            await StartupSourceValidation.RunAsync(_source, _storage.Admin, _options, rules, _logger, ct).ConfigureAwait(false));
        var deployed = await _storage.Admin.DeployAsync(content, ct).ConfigureAwait(false);
        var active = await _storage.Admin.GetActiveAsync(ct).ConfigureAwait(false);
        if (active is not null && active.Id != deployed.Id) StartReplicator(active);
        StartReplicator(deployed);
        lock (_replicators) _replicators.Add(Task.Run(() => DropRetiredSlotsAsync(_stopping.Token), CancellationToken.None));
    }

    private void StartReplicator(SyncRulesVersion version)
    {
        lock (_replicators)
        {
            if (!_replicating.Add(version.Id)) return;
            _rules[version.Id] = SyncRulesSet.Parse(version.Content, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
            PowerSyncServiceLog.Replicating(_logger, version.Id, version.State, version.SlotName);
            _progress[version.Id] = (version, new ReplicationProgress());
            // Its own token: stopping the service ends it, and so does another version becoming active.
            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _replicatorStops[version.Id] = stop;
            _replicators.Add(Task.Run(async () =>
            {
                try
                {
                    await ReplicateAsync(version, stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    _replicatorStops.TryRemove(version.Id, out _);
                    if (_progress.TryGetValue(version.Id, out var progress)) progress.Progress.Stopped();
                    // A replaced version is no longer replicated here: its state says nothing about health.
                    if (!_stopping.IsCancellationRequested && _progress.TryRemove(version.Id, out var replaced))
                        Interlocked.Add(ref _commitsOfReplacedVersions, replaced.Progress.Commits);
                    stop.Dispose();
                    // Its slot may be retired now that nothing streams from it.
                    if (!_stopping.IsCancellationRequested) _slotsToDrop.Release();
                }
            }, CancellationToken.None));
        }
    }

    /// <summary>
    /// Drops the source slots of versions that no longer replicate (replaced, or lost and re-snapshotted):
    /// a forgotten slot makes Postgres keep WAL forever. Only this store's own slots are touched, so
    /// several instances with their own stores can share one source. Runs at start, whenever a new
    /// version becomes active and whenever a replicator ends.
    /// </summary>
    private async Task DropRetiredSlotsAsync(CancellationToken ct)
    {
        var activations = SignalActivationsAsync(ct);
        var explained = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                foreach (var version in await _storage.Admin.GetRetiredAsync(ct).ConfigureAwait(false))
                {
                    try
                    {
                        var command = _source.CreateCommand("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1");
                        await using (command.ConfigureAwait(false))
                        {
                            command.Parameters.Add(new NpgsqlParameter { Value = version.SlotName });
                            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                        }
                        await _storage.Admin.ForgetSlotAsync(version, ct).ConfigureAwait(false);
                        PowerSyncServiceLog.SlotDropped(_logger, version.SlotName, version.Id);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Still streamed from by a replicator that has not noticed it was replaced, or the source is down.
                        var code = ReplicationFailure.CodeOf(e);
                        PowerSyncServiceLog.SlotDropDeferred(_logger, version.SlotName, version.Id, code, e.Message, RetiredSlotRetry);
                        if (explained.Add(version.SlotName)) PowerSyncServiceLog.FailureDetail(_logger, e, code);
                    }
                }
                await _slotsToDrop.WaitAsync(RetiredSlotRetry, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await activations.ConfigureAwait(false);
    }

    /// <summary>Wakes the slot janitor whenever checkpoints start coming from another version (one became active).</summary>
    private async Task SignalActivationsAsync(CancellationToken ct)
    {
        try
        {
            var last = -1L;
            await foreach (var checkpoint in _storage.Checkpoints.WatchAsync(ct).ConfigureAwait(false))
            {
                if (checkpoint.RulesVersion == last) continue;
                last = checkpoint.RulesVersion;
                // Every older version was stopped by this activation: their replicators go, then their slots.
                foreach (var (id, stop) in _replicatorStops)
                {
                    if (id >= last) continue;
                    try
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                    catch (ObjectDisposedException)
                    {
                        // It ended by itself meanwhile.
                    }
                }
                _slotsToDrop.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Replicates one version until it is replaced or the service stops; failures are logged and retried with backoff.</summary>
    private async Task ReplicateAsync(SyncRulesVersion version, CancellationToken ct)
    {
        var attempt = 0;
        string? lastFailure = null;
        var progress = _progress[version.Id].Progress;
        // Status updates go out well within the timeout (the server's wal_sender_timeout applies to them too).
        var statusInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, _options.ReplicationTimeout.Ticks / 3));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var writer = await _storage.Admin.OpenWriterAsync(version, ct).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    var replicator = new BucketReplicator(_source, RulesOf(version.Id), writer,
                        new BucketReplicatorOptions(_options.SourceConnectionString!, _options.PublicationName,
                            StatusInterval: statusInterval, ReceiveTimeout: _options.ReplicationTimeout, Progress: progress), _logger);
                    await replicator.RunAsync(ct).ConfigureAwait(false);
                }
                attempt = 0;
                lastFailure = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (PowerSyncException e) when (e.Code == StorageErrorCodes.VersionNotWritable)
            {
                PowerSyncServiceLog.ReplicationStopped(_logger, version.Id, e.Message);
                _slotsToDrop.Release();
                return;
            }
            catch (PowerSyncException e) when (e.Code == ReplicationErrorCodes.SlotInvalidated)
            {
                // Postgres dropped WAL the slot needed, or the slot was dropped: streaming cannot resume.
                // A copy of the rules replicates from a new snapshot; this version serves until it is active.
                var replacement = await _storage.Admin.ReplaceAsync(version, ct).ConfigureAwait(false);
                PowerSyncServiceLog.SlotLost(_logger, version.SlotName, version.Id, replacement.Id, e.Message);
                StartReplicator(replacement);
                _slotsToDrop.Release();
                return;
            }
            catch (Exception e)
            {
                // Failing because the service stops (a cancelled command) is no failure to report.
                if (ct.IsCancellationRequested) return;
                progress.Failed(e);
                var delay = ReconnectPolicy.Default.DelayFor(++attempt, Random.Shared);
                LogRetry(version, e, delay, attempt, ref lastFailure);
                try
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One Warning line per failed attempt, with its code and that it is retried. Expected failures (the source
    /// down or not ready, a coded problem) add their stack trace once at Debug; an unexpected one (a bug) is an
    /// Error with its stack trace. Either is logged again only when the failure changes.
    /// </summary>
    private void LogRetry(SyncRulesVersion version, Exception e, TimeSpan delay, int attempt, ref string? lastFailure)
    {
        var code = ReplicationFailure.CodeOf(e);
        var failure = code + e.Message;
        var repeated = failure == lastFailure;
        lastFailure = failure;
        if (code == ReplicationErrorCodes.AssertionFailed && !repeated)
        {
            PowerSyncServiceLog.ReplicationFailedUnexpectedly(_logger, e, version.Id, code, delay, attempt);
            return;
        }
        PowerSyncServiceLog.ReplicationInterrupted(_logger, version.Id, code, e.Message, delay, attempt);
        if (!repeated) PowerSyncServiceLog.FailureDetail(_logger, e, code);
    }

    /// <summary>The parsed rules of a version this service replicates (parsed when its replicator starts).</summary>
    private SyncRulesSet RulesOf(long version) =>
        _rules.TryGetValue(version, out var rules)
            ? rules
            : throw new PowerSyncException(ProtocolErrorCodes.NoActiveRules,
                $"Sync rules version {version} is not loaded by this instance; it is being replaced. Retry shortly.");

    /// <summary>Stops replication (in-flight source transactions are replayed on the next start).</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_replicators) running = [.. _replicators];
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
        _meter.Dispose();
        _stopping.Dispose();
        _slotsToDrop.Dispose();
    }
}
