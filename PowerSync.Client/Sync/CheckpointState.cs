using System.Globalization;
using PowerSync.Client.Status;

namespace PowerSync.Client.Sync;

/// <summary>
/// The checkpoint side of a sync session: the target checkpoint, download progress, and the
/// validated-but-not-applied checkpoint retried after uploads complete. Callers serialize access.
/// </summary>
internal sealed class CheckpointState(LocalOplog storage, SyncStatusTracker status, ClientMetrics metrics, StreamSubscriptionStore subscriptions)
{
    private SyncCheckpoint? _target;
    private IReadOnlyList<CheckpointStream>? _serverStreams;
    private IReadOnlyList<StreamState> _streams = [];
    private SyncCheckpoint? _pending;
    private Dictionary<string, (long AtLast, long SinceLast)> _counts = new(StringComparer.Ordinal);

    /// <summary>The stream subscriptions the current connection requested (set before it opens).</summary>
    public StreamRequest Requested { get; set; } = new(true, []);

    /// <summary>Checksum failures since the last applied checkpoint.</summary>
    public int ChecksumFailureStreak { get; private set; }

    public async Task<LineAction> HandleAsync(SyncLine line, CancellationToken cancellationToken)
    {
        switch (line)
        {
            case CheckpointLine checkpoint:
                _pending = null;
                _target = SyncCheckpoint.From(checkpoint);
                await storage.RemoveBucketsExceptAsync(_target.Buckets.Keys, cancellationToken).ConfigureAwait(false);
                _serverStreams = checkpoint.Streams;
                _streams = await subscriptions.ResolveAsync(_serverStreams, _target.Buckets.Values, Requested, cancellationToken).ConfigureAwait(false);
                await StartDownloadAsync(cancellationToken).ConfigureAwait(false);
                return LineAction.Continue;
            case CheckpointDiffLine diff:
                _target = (_target ?? throw new PowerSyncClientException(ClientErrorCodes.ProtocolError, "checkpoint_diff arrived before any checkpoint.")).Apply(diff);
                _pending = null;
                await storage.RemoveBucketsAsync(diff.RemovedBuckets, cancellationToken).ConfigureAwait(false);
                _streams = await subscriptions.ResolveAsync(_serverStreams, _target.Buckets.Values, Requested, cancellationToken).ConfigureAwait(false);
                await StartDownloadAsync(cancellationToken).ConfigureAwait(false);
                return LineAction.Continue;
            case DataLine data:
                await SaveAsync([data], cancellationToken).ConfigureAwait(false);
                return LineAction.Continue;
            case CheckpointCompleteLine:
                return await ApplyAsync(null, cancellationToken).ConfigureAwait(false);
            case PartialCheckpointCompleteLine partial:
                return await ApplyAsync(partial.Priority, cancellationToken).ConfigureAwait(false);
            default:
                return LineAction.Continue;
        }
    }

    /// <summary>Saves consecutive data lines in one transaction.</summary>
    public async Task SaveAsync(IReadOnlyList<DataLine> lines, CancellationToken cancellationToken)
    {
        await storage.SaveAsync(lines, cancellationToken).ConfigureAwait(false);
        var ops = 0L;
        foreach (var data in lines) ops += data.Data.Count;
        metrics.OperationsDownloaded.Add(ops);
        foreach (var data in lines)
            _counts[data.Bucket] = _counts.TryGetValue(data.Bucket, out var c) ? (c.AtLast, c.SinceLast + data.Data.Count) : (0, data.Data.Count);
        var progress = Progress();
        status.Update(s => s with { Downloading = true, DownloadProgress = progress, SyncStreams = StreamStatuses(progress) });
        // Stored: the lines' pooled buffers can serve the next lines.
        foreach (var data in lines) data.Release();
    }

    public async Task RetryPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { } pending) return;
        var (outcome, _) = await storage.SyncLocalAsync(pending, null, cancellationToken).ConfigureAwait(false);
        if (outcome == SyncLocalOutcome.Applied)
        {
            _pending = null;
            await PublishAppliedAsync(pending, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<LineAction> ApplyAsync(int? priority, CancellationToken cancellationToken)
    {
        var target = _target ?? throw new PowerSyncClientException(ClientErrorCodes.ProtocolError, "A checkpoint completed before any checkpoint arrived.");
        var (outcome, failed) = await storage.SyncLocalAsync(target, priority, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case SyncLocalOutcome.ChecksumFailed:
                ChecksumFailureStreak++;
                metrics.StreamFailures.Add(1, ClientMetrics.Code(ClientErrorCodes.ChecksumMismatch));
                var error = new PowerSyncClientException(ClientErrorCodes.ChecksumMismatch,
                    $"Checksums did not match for bucket(s) {string.Join(", ", failed)} at checkpoint {target.LastOpId.ToString(CultureInfo.InvariantCulture)}; they are downloaded again.");
                status.Update(s => s with { DownloadError = error });
                return LineAction.ReconnectAfterDelay;
            case SyncLocalOutcome.Pending:
                if (priority is null) _pending = target;
                return LineAction.Continue;
            default:
                await PublishAppliedAsync(target, priority, cancellationToken).ConfigureAwait(false);
                return LineAction.Continue;
        }
    }

    private async Task PublishAppliedAsync(SyncCheckpoint applied, int? priority, CancellationToken cancellationToken)
    {
        metrics.CheckpointsApplied.Add(1, new KeyValuePair<string, object?>("partial", priority is not null));
        if (priority is null) ChecksumFailureStreak = 0;
        // A subscription the service did not include (or could not resolve) did not sync.
        var synced = _streams.Where(s => s.Active && s.Error is null && s.IsIn(priority)).Select(s => s.Id).ToList();
        var at = await subscriptions.MarkSyncedAsync(synced, cancellationToken).ConfigureAwait(false);
        _streams = _streams.Select(s => synced.Contains(s.Id) ? s with { LastSyncedAt = at } : s).ToList();
        var priorities = await storage.LoadPriorityStatusAsync(cancellationToken).ConfigureAwait(false);
        if (priority is null)
        {
            _counts = new Dictionary<string, (long, long)>(await storage.GetProgressCountsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
            var full = priorities.FirstOrDefault(p => p.Priority == int.MaxValue);
            status.Update(s => s with
            {
                Downloading = false,
                DownloadProgress = null,
                DownloadError = null,
                HasSynced = true,
                LastSyncedAt = full?.LastSyncedAt ?? DateTimeOffset.UtcNow,
                PriorityStatus = priorities,
                SyncStreams = StreamStatuses(null),
                AppliedWriteCheckpoint = applied.WriteCheckpoint is { } wc && wc > (s.AppliedWriteCheckpoint ?? 0) ? wc : s.AppliedWriteCheckpoint,
            });
        }
        else
        {
            status.Update(s => s with { PriorityStatus = priorities, SyncStreams = StreamStatuses(s.DownloadProgress) });
        }
    }

    private async Task StartDownloadAsync(CancellationToken cancellationToken)
    {
        _counts = new Dictionary<string, (long, long)>(await storage.GetProgressCountsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var progress = Progress();
        status.Update(s => s with { Downloading = true, DownloadProgress = progress, SyncStreams = StreamStatuses(progress) });
    }

    /// <summary>The subscriptions' statuses; with the download's progress, each with its own buckets' progress.</summary>
    private List<SyncStreamStatus> StreamStatuses(SyncProgress? downloading) =>
        _streams.Select(s => s.ToStatus(downloading is null ? null : Progress(s.Buckets))).ToList();

    /// <summary>The progress of the target's buckets, or of those in <paramref name="only"/>.</summary>
    private SyncProgress Progress(HashSet<string>? only = null)
    {
        var byPriority = new SortedDictionary<int, (long Done, long Total)>();
        foreach (var bucket in _target?.Buckets.Values ?? [])
        {
            if (only is not null && !only.Contains(bucket.Bucket)) continue;
            var (atLast, sinceLast) = _counts.TryGetValue(bucket.Bucket, out var c) ? c : (0, 0);
            var count = bucket.Count ?? (atLast + sinceLast);
            if (count < atLast) atLast = 0; // the bucket shrank (compaction or a reset): count from scratch
            var remaining = Math.Max(0, count - atLast);
            var (done, total) = byPriority.TryGetValue(bucket.Priority, out var sums) ? sums : (0, 0);
            byPriority[bucket.Priority] = (done + Math.Min(sinceLast, remaining), total + remaining);
        }

        return new SyncProgress(byPriority.Values.Sum(p => p.Done), byPriority.Values.Sum(p => p.Total))
        {
            ByPriority = byPriority.Select(p => (p.Key, p.Value.Done, p.Value.Total)).ToList(),
        };
    }
}
