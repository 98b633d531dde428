namespace PowerSync.Client.Sync;

/// <summary>One line of the sync stream (<c>POST /sync/stream</c>), parsed.</summary>
internal abstract record SyncLine;

/// <summary>
/// A bucket's expected state at a checkpoint, and why the service included it (<c>subscriptions</c>: the default stream
/// at an index of the checkpoint's <c>streams</c>, or the request's explicit subscription at an index).
/// </summary>
internal sealed record BucketChecksum(string Bucket, uint Checksum, int Priority, long? Count)
{
    public IReadOnlyList<BucketReason>? Subscriptions { get; init; }
}

/// <summary>One entry of a bucket's <c>subscriptions</c>: <c>{"default": i}</c> or <c>{"sub": i}</c>.</summary>
internal readonly record struct BucketReason(bool IsDefault, int Index);

/// <summary>
/// One entry of a checkpoint's <c>streams</c>: a stream the connection is subscribed to, whether it is a default stream,
/// and the errors resolving it (for the request's subscription at an index, or null for the default subscription).
/// </summary>
internal sealed record CheckpointStream(string Name, bool IsDefault, IReadOnlyList<(int? Subscription, string Message)> Errors);

/// <summary>
/// <c>{"checkpoint":{...}}</c>: the full bucket set of a new checkpoint, and the streams the connection is subscribed to
/// (null from a service that reports none).
/// </summary>
internal sealed record CheckpointLine(long LastOpId, long? WriteCheckpoint, IReadOnlyList<BucketChecksum> Buckets, IReadOnlyList<CheckpointStream>? Streams = null) : SyncLine;

/// <summary><c>{"checkpoint_diff":{...}}</c>: changes against the previous checkpoint.</summary>
internal sealed record CheckpointDiffLine(long LastOpId, long? WriteCheckpoint, IReadOnlyList<BucketChecksum> UpdatedBuckets, IReadOnlyList<string> RemovedBuckets) : SyncLine;

/// <summary><c>{"data":{...}}</c>: ops of one bucket.</summary>
internal sealed record DataLine(string Bucket, IReadOnlyList<OplogEntry> Data, bool HasMore, long Size) : SyncLine;

/// <summary><c>{"checkpoint_complete":{...}}</c>.</summary>
internal sealed record CheckpointCompleteLine(long LastOpId) : SyncLine;

/// <summary><c>{"partial_checkpoint_complete":{...}}</c>: every bucket with priority number &lt;= Priority is complete.</summary>
internal sealed record PartialCheckpointCompleteLine(long LastOpId, int Priority) : SyncLine;

/// <summary><c>{"token_expires_in":n}</c>: keepalive with the token's remaining lifetime in seconds.</summary>
internal sealed record TokenExpiresInLine(long Seconds) : SyncLine;

/// <summary>A line this client does not know; ignored.</summary>
internal sealed record UnknownLine(string Json) : SyncLine;

/// <summary>The kind of an op.</summary>
internal enum OpKind
{
    Put,
    Remove,
    Move,
    Clear,
}

/// <summary>
/// One op of a data line. The id, subkey and data stay UTF-8 as received: they go to SQLite as they are,
/// without a round trip through UTF-16. <c>Checksum</c> is the op's checksum (CLEAR's may arrive negative:
/// mod 2^32). A struct: a line's ops live in one array, not one object each for the collector to trace.
/// </summary>
internal readonly record struct OplogEntry(long OpId, OpKind Op, string? ObjectType, byte[]? ObjectId, byte[]? Subkey, byte[]? Data, uint Checksum);

/// <summary>A checkpoint being downloaded: the target of the current iteration.</summary>
internal sealed record SyncCheckpoint(long LastOpId, long? WriteCheckpoint, IReadOnlyDictionary<string, BucketChecksum> Buckets)
{
    public static SyncCheckpoint From(CheckpointLine line) =>
        new(line.LastOpId, line.WriteCheckpoint, line.Buckets.ToDictionary(b => b.Bucket, StringComparer.Ordinal));

    public SyncCheckpoint Apply(CheckpointDiffLine diff)
    {
        var buckets = new Dictionary<string, BucketChecksum>(Buckets, StringComparer.Ordinal);
        foreach (var removed in diff.RemovedBuckets) buckets.Remove(removed);
        foreach (var updated in diff.UpdatedBuckets) buckets[updated.Bucket] = updated;
        // A diff without write_checkpoint keeps the last one: write checkpoints only grow.
        return new SyncCheckpoint(diff.LastOpId, diff.WriteCheckpoint ?? WriteCheckpoint, buckets);
    }
}
