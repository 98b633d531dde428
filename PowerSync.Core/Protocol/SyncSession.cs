using System.Runtime.CompilerServices;
using PowerSync.Core.Auth;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>The storage views a session reads.</summary>
internal sealed record SyncSessionServices(
    IBucketStorageReader Reader,
    ICheckpointWatcher Checkpoints,
    IWriteCheckpointStore WriteCheckpoints,
    IBucketResolver Resolver,
    TimeProvider Time)
{
    /// <summary>Data pages shared between the sessions using these services.</summary>
    public DataPageCache Pages { get; init; } = new(Reader);
}

/// <summary>
/// One client's sync stream as a plain sequence of protocol lines, with no HTTP inside. For each new
/// checkpoint: resolve the client's buckets, compare checksums with what it was last told, send a
/// <c>checkpoint</c> (first) or <c>checkpoint_diff</c> (later; nothing at all when nothing changed),
/// then the missing ops of changed buckets, highest priority first, with
/// <c>partial_checkpoint_complete</c> after each priority but the last and <c>checkpoint_complete</c>
/// at the end. Keepalives every ~20 s; the stream ends when the token expires. With <paramref name="trace"/>, each
/// checkpoint sent is traced (the consumer reports the lines it wrote to the same trace).
/// </summary>
internal sealed class SyncSession(SyncSessionServices services, SyncUser user, SyncRequest request, SyncSessionOptions options,
    SyncSessionTrace? trace = null)
{
    private readonly Dictionary<string, OpId> _positions = new(request.Buckets, StringComparer.Ordinal);
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private Dictionary<string, CheckpointBucket>? _sent;
    private long? _sentWriteCheckpoint;
    private long _sentRulesVersion = -1;

    private WriteCheckpointKey WriteCheckpointKey { get; } = WriteCheckpointKeys.For(user.UserId, request.ClientId);

    public async IAsyncEnumerable<SyncLine> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var time = services.Time;
        if (user.ExpiresAt <= time.GetUtcNow())
        {
            yield return new KeepaliveLine(0);
            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var checkpoints = services.Checkpoints.WatchAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool>? next = null;
        try
        {
            var nextKeepalive = NextKeepalive(time.GetUtcNow());
            var warned = false;
            while (true)
            {
                next ??= checkpoints.MoveNextAsync().AsTask();
                var now = time.GetUtcNow();
                var warnAt = user.ExpiresAt - options.ExpiryWarning;
                var wakeAt = Min(Min(nextKeepalive, warned ? user.ExpiresAt : Max(now, warnAt)), user.ExpiresAt);
                using (var timer = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
                {
                    var delay = Task.Delay(Max(wakeAt - now, TimeSpan.Zero), time, timer.Token);
                    await Task.WhenAny(next, delay).ConfigureAwait(false);
                    await timer.CancelAsync().ConfigureAwait(false);
                }

                now = time.GetUtcNow();
                if (now >= user.ExpiresAt)
                {
                    yield return new KeepaliveLine(0);
                    yield break;
                }
                if (!next.IsCompleted)
                {
                    var warningDue = !warned && now >= warnAt;
                    // A timer may fire a little early: then nothing is due yet, and no line goes out.
                    if (!warningDue && now < nextKeepalive) continue;
                    warned |= warningDue;
                    nextKeepalive = NextKeepalive(now);
                    yield return new KeepaliveLine((long)Math.Ceiling((user.ExpiresAt - now).TotalSeconds));
                    continue;
                }
                if (!await next.ConfigureAwait(false)) yield break;
                var checkpoint = checkpoints.Current;
                next = null;
                await foreach (var line in CheckpointLinesAsync(checkpoint, stop.Token).ConfigureAwait(false))
                    yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // A read may still be pending (the consumer stopped during a keepalive): an enumerator cannot be
            // disposed while it runs, so let the read see the cancellation first.
            if (next is not null) await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await checkpoints.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<SyncLine> CheckpointLinesAsync(Checkpoint checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pickedUpAt = trace is null ? default : services.Time.GetUtcNow();
        var (buckets, streams) = await CurrentBucketsAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        var writeCheckpoint = await services.WriteCheckpoints.GetAsync(WriteCheckpointKey, checkpoint.Lsn, cancellationToken).ConfigureAwait(false);

        List<CheckpointBucket> toFetch;
        if (_sent is null || _sentRulesVersion != checkpoint.RulesVersion)
        {
            toFetch = [.. buckets.Values];
            trace?.CheckpointStarted(checkpoint, services.Checkpoints.TraceOf(checkpoint), "checkpoint", buckets.Count, toFetch.Count, pickedUpAt);
            yield return new CheckpointLine(checkpoint.OpId, writeCheckpoint, [.. buckets.Values], streams);
            _pending.Clear();
        }
        else
        {
            var updated = buckets.Values.Where(b => !_sent.TryGetValue(b.Bucket, out var old) || !SameState(old, b)).ToList();
            var removed = _sent.Keys.Where(name => !buckets.ContainsKey(name)).ToList();
            _pending.IntersectWith(buckets.Keys);
            if (updated.Count == 0 && removed.Count == 0 && writeCheckpoint == _sentWriteCheckpoint && _pending.Count == 0)
                yield break;
            // Changed buckets, plus those still pending from an interrupted download of an earlier checkpoint.
            var updatedNames = updated.Select(u => u.Bucket).ToHashSet(StringComparer.Ordinal);
            toFetch = [.. updated.Concat(_pending.Where(p => !updatedNames.Contains(p)).Select(p => buckets[p]))];
            trace?.CheckpointStarted(checkpoint, services.Checkpoints.TraceOf(checkpoint), "checkpoint_diff", buckets.Count, toFetch.Count, pickedUpAt);
            yield return new CheckpointDiffLine(checkpoint.OpId, writeCheckpoint, updated, removed);
            foreach (var name in removed) _positions.Remove(name);
        }
        _sent = buckets;
        _sentWriteCheckpoint = writeCheckpoint;
        _sentRulesVersion = checkpoint.RulesVersion;
        foreach (var b in toFetch) _pending.Add(b.Bucket);

        var groups = toFetch.GroupBy(b => b.Priority).OrderBy(g => g.Key).ToList();
        var lowest = groups.Count == 0 ? -1 : groups[^1].Key;
        var sentOps = 0;
        var crossedByCompaction = false;
        foreach (var group in groups)
        {
            foreach (var bucket in group)
            {
                while (true)
                {
                    var position = new BucketPosition(bucket.Bucket, _positions.GetValueOrDefault(bucket.Bucket));
                    var page = await services.Pages.ReadAsync(checkpoint, position, options.MaxOpsPerPage, options.MaxBytesPerPage, cancellationToken).ConfigureAwait(false);
                    if (page.HasMore) Prefetch(checkpoint, position with { After = page.NextAfter });
                    if (page.Ops.Count > 0) yield return new DataLine(page);
                    _positions[bucket.Bucket] = page.NextAfter;
                    sentOps += page.Ops.Count;
                    crossedByCompaction |= page.Ops.Any(op => op.TargetOp is { } target && target > checkpoint.OpId);
                    if (!page.HasMore) break;
                    if (sentOps >= options.InterruptAfterOps && await NewerCheckpointAffectsUsAsync(checkpoint, cancellationToken).ConfigureAwait(false))
                    {
                        trace?.CheckpointEnded(complete: false);
                        yield break;
                    }
                }
                _pending.Remove(bucket.Bucket);
            }
            if (group.Key != lowest && !crossedByCompaction)
                yield return new PartialCheckpointCompleteLine(checkpoint.OpId, group.Key);
        }
        // Compaction rewrote ops after this checkpoint: what was sent may not add up to it, and a newer
        // checkpoint (the one compaction ran at) follows immediately.
        if (!crossedByCompaction) yield return new CheckpointCompleteLine(checkpoint.OpId);
        // Here the consumer has written the last line.
        trace?.CheckpointEnded(complete: !crossedByCompaction);
    }

    /// <summary>
    /// Reads the bucket's next page in the background, through the shared page cache, while this one is
    /// being serialized and sent: the session's own read of it then finds it loaded. It only reads: were it
    /// to serialize the page too, the session would wait on that serialization (spinning on its lock) and
    /// gain nothing. A failure is left to the session's read, which retries and reports it.
    /// </summary>
    private void Prefetch(Checkpoint checkpoint, BucketPosition next) => _ = Task.Run(async () =>
    {
        Task read = services.Pages.ReadAsync(checkpoint, next, options.MaxOpsPerPage, options.MaxBytesPerPage, CancellationToken.None);
        await read.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }, CancellationToken.None);

    private async Task<(Dictionary<string, CheckpointBucket> Buckets, IReadOnlyList<StreamDescription> Streams)> CurrentBucketsAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var resolved = await services.Resolver.ResolveAsync(user, request, checkpoint, cancellationToken).ConfigureAwait(false);
        if (resolved.Buckets.Count > options.MaxBucketsPerConnection)
        {
            throw new PowerSyncException(ProtocolErrorCodes.TooManyBuckets,
                $"This connection would sync {resolved.Buckets.Count} buckets; the limit is {options.MaxBucketsPerConnection}. " +
                "Narrow the sync rules for this user (fewer parameter results), or raise MaxBucketsPerConnection.");
        }
        var checksums = await services.Reader.GetChecksumsAsync(checkpoint, [.. resolved.Buckets.Select(b => b.Name)], cancellationToken).ConfigureAwait(false);
        var byName = checksums.ToDictionary(c => c.Bucket, StringComparer.Ordinal);
        var buckets = new Dictionary<string, CheckpointBucket>(resolved.Buckets.Count, StringComparer.Ordinal);
        foreach (var b in resolved.Buckets)
        {
            var c = byName[b.Name];
            buckets[b.Name] = new CheckpointBucket(b.Name, c.WireChecksum, c.Count, b.Priority, b.Subscriptions);
        }
        return (buckets, resolved.Streams);
    }

    /// <summary>Is there a newer checkpoint that changes any of this client's buckets or its write checkpoint?</summary>
    private async Task<bool> NewerCheckpointAffectsUsAsync(Checkpoint current, CancellationToken cancellationToken)
    {
        if (await services.Reader.GetCheckpointAsync(cancellationToken).ConfigureAwait(false) is not { } latest || latest == current) return false;
        if (latest.RulesVersion != current.RulesVersion) return true;
        if (await services.WriteCheckpoints.GetAsync(WriteCheckpointKey, latest.Lsn, cancellationToken).ConfigureAwait(false) != _sentWriteCheckpoint) return true;
        var checksums = await services.Reader.GetChecksumsAsync(latest, _sent!.Keys, cancellationToken).ConfigureAwait(false);
        return checksums.Any(c => _sent[c.Bucket].Checksum != c.WireChecksum || _sent[c.Bucket].Count != c.Count);
    }

    private static bool SameState(CheckpointBucket a, CheckpointBucket b) =>
        a.Checksum == b.Checksum && a.Count == b.Count && a.Priority == b.Priority;

    /// <summary>When the next keepalive line is due; never, when the transport keeps the connection alive itself.</summary>
    private DateTimeOffset NextKeepalive(DateTimeOffset now) => options.KeepaliveLines ? now + Jittered(options.Keepalive) : DateTimeOffset.MaxValue;

    private static TimeSpan Jittered(TimeSpan interval) =>
        interval * (0.9 + (Random.Shared.NextDouble() * 0.2));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a >= b ? a : b;
}
