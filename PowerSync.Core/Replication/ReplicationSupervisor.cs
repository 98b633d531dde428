using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Replication;

/// <summary>What every replicator of a service shares: where the source is, how long it may stay silent, where commits are measured.</summary>
internal sealed record ReplicationSettings(string ConnectionString, string PublicationName, TimeSpan ReplicationTimeout, ReplicationMetrics? Metrics = null);

/// <summary>
/// Keeps each sync-rules version that should replicate replicating: one <see cref="BucketReplicator"/> per version,
/// restarted with backoff after a failure (one Warning line per attempt), replaced by a fresh snapshot under a new
/// slot when its slot is lost, stopped when a newer version becomes active or the version can no longer be written.
/// Whenever a replicator ends, <paramref name="replicatorEnded"/> is called (its slot may be dropped now).
/// </summary>
internal sealed class ReplicationSupervisor(
    NpgsqlDataSource source,
    IBucketStorageAdmin storage,
    ReplicationSettings settings,
    ILogger logger,
    Action replicatorEnded) : IDisposable
{
    private readonly ConcurrentDictionary<long, SyncRulesSet> _rules = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _replicators = [];
    private readonly HashSet<long> _replicating = [];
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _stops = new();
    private readonly ConcurrentDictionary<long, (SyncRulesVersion Version, ReplicationProgress Progress)> _progress = new();
    private long _commitsOfReplacedVersions;

    /// <summary>The versions replicating here, with how each stands.</summary>
    public IReadOnlyList<(SyncRulesVersion Version, ReplicationProgress Progress)> Replications =>
        [.. _progress.Values.OrderBy(r => r.Version.Id)];

    /// <summary>Storage commits made by every replicator so far, including those of replaced versions.</summary>
    public long Commits => Interlocked.Read(ref _commitsOfReplacedVersions) + _progress.Values.Sum(p => p.Progress.Commits);

    /// <summary>The replication of <paramref name="servedVersion"/> (else, before the first checkpoint, the oldest replicating).</summary>
    public (SyncRulesVersion Version, ReplicationProgress Progress)? Serving(long? servedVersion) =>
        servedVersion is { } id && _progress.TryGetValue(id, out var serving)
            ? serving
            : Replications.Count > 0 ? Replications[0] : null;

    /// <summary>The parsed rules of a version replicating here (parsed when its replicator starts).</summary>
    /// <exception cref="PowerSyncException">The version is not loaded by this instance (it is being replaced).</exception>
    public SyncRulesSet RulesOf(long version) =>
        _rules.TryGetValue(version, out var rules)
            ? rules
            : throw new PowerSyncException(Protocol.ProtocolErrorCodes.NoActiveRules,
                $"Sync rules version {version} is not loaded by this instance; it is being replaced. Retry shortly.");

    /// <summary>Starts replicating <paramref name="version"/> unless it already replicates here.</summary>
    public void Start(SyncRulesVersion version)
    {
        lock (_replicators)
        {
            if (!_replicating.Add(version.Id)) return;
            _rules[version.Id] = SyncRulesSet.Parse(version.Content, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
            ReplicationSupervisorLog.Replicating(logger, version.Id, version.State, version.SlotName);
            _progress[version.Id] = (version, new ReplicationProgress());
            // Its own token: stopping the supervisor ends it, and so does another version becoming active.
            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _stops[version.Id] = stop;
            _replicators.Add(Task.Run(() => RunAsync(version, stop), CancellationToken.None));
        }
    }

    /// <summary>A version became active: every older one stops replicating (its slot is dropped afterwards).</summary>
    private async Task StopOlderThanAsync(long activeVersion)
    {
        foreach (var (id, stop) in _stops)
        {
            if (id >= activeVersion) continue;
            try
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // It ended by itself meanwhile.
            }
        }
    }

    /// <summary>
    /// Until <paramref name="cancellationToken"/> is cancelled: whenever checkpoints start coming from another version (one became
    /// active), every older version stops replicating, and then <c>replicatorEnded</c> is called for their slots.
    /// </summary>
    public async Task WatchActivationsAsync(ICheckpointWatcher checkpoints, CancellationToken cancellationToken)
    {
        try
        {
            var last = -1L;
            await foreach (var checkpoint in checkpoints.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (checkpoint.RulesVersion == last) continue;
                last = checkpoint.RulesVersion;
                ReplicationSupervisorLog.Serving(logger, last, checkpoint.OpId.Value);
                await StopOlderThanAsync(last).ConfigureAwait(false);
                replicatorEnded();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops every replicator (in-flight source transactions are replayed on the next start).</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_replicators) running = [.. _replicators];
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(SyncRulesVersion version, CancellationTokenSource stop)
    {
        try
        {
            await ReplicateAsync(version, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _stops.TryRemove(version.Id, out _);
            if (_progress.TryGetValue(version.Id, out var progress)) progress.Progress.Stopped();
            // A replaced version is no longer replicated here: its state says nothing about health.
            if (!_stopping.IsCancellationRequested && _progress.TryRemove(version.Id, out var replaced))
                Interlocked.Add(ref _commitsOfReplacedVersions, replaced.Progress.Commits);
            stop.Dispose();
            if (!_stopping.IsCancellationRequested) replicatorEnded();
        }
    }

    /// <summary>Replicates one version until it is replaced or the supervisor stops; failures are logged and retried with backoff.</summary>
    private async Task ReplicateAsync(SyncRulesVersion version, CancellationToken cancellationToken)
    {
        var attempt = 0;
        string? lastFailure = null;
        var progress = _progress[version.Id].Progress;
        // Status updates go out well within the timeout (the server's wal_sender_timeout applies to them too).
        var statusInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, settings.ReplicationTimeout.Ticks / 3));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var writer = await storage.OpenWriterAsync(version, cancellationToken).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    var replicator = new BucketReplicator(source, RulesOf(version.Id), writer,
                        new BucketReplicatorOptions(settings.ConnectionString, settings.PublicationName,
                            StatusInterval: statusInterval, ReceiveTimeout: settings.ReplicationTimeout, Progress: progress,
                            Metrics: settings.Metrics), logger);
                    await replicator.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                attempt = 0;
                lastFailure = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (PowerSyncException e) when (e.Code == StorageErrorCodes.VersionNotWritable)
            {
                ReplicationSupervisorLog.ReplicationStopped(logger, version.Id, e.Message);
                return;
            }
            catch (PowerSyncException e) when (e.Code == ReplicationErrorCodes.SlotInvalidated)
            {
                // Postgres dropped WAL the slot needed, or the slot was dropped: streaming cannot resume.
                // A copy of the rules replicates from a new snapshot; this version serves until it is active.
                var replacement = await storage.ReplaceAsync(version, cancellationToken).ConfigureAwait(false);
                ReplicationSupervisorLog.SlotLost(logger, version.SlotName, version.Id, replacement.Id, e.Message);
                Start(replacement);
                return;
            }
            catch (Exception e)
            {
                // Failing because the supervisor stops (a cancelled command) is no failure to report.
                if (cancellationToken.IsCancellationRequested) return;
                progress.Failed(e);
                var delay = ReconnectPolicy.Default.DelayFor(++attempt, Random.Shared);
                LogRetry(version, e, delay, attempt, ref lastFailure);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
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
            ReplicationSupervisorLog.ReplicationFailedUnexpectedly(logger, e, version.Id, code, delay, attempt);
            return;
        }
        ReplicationSupervisorLog.ReplicationInterrupted(logger, version.Id, code, e.Message, delay, attempt);
        if (!repeated) ReplicationSupervisorLog.FailureDetail(logger, e, code);
    }
}
