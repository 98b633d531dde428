using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>One line of the sync stream. The session yields these; <see cref="SyncLineWriter"/> turns them into protocol JSON.</summary>
internal abstract record SyncLine;

/// <summary>Which request subscription or default stream made a bucket part of the checkpoint.</summary>
internal readonly record struct BucketSubscription(bool IsDefault, int Index);

/// <summary>A bucket as listed in <c>checkpoint</c> and <c>checkpoint_diff</c> lines.</summary>
internal sealed record CheckpointBucket(string Bucket, int Checksum, long Count, int Priority, IReadOnlyList<BucketSubscription> Subscriptions);

/// <summary>An error resolving one subscription of a stream (<paramref name="Subscription"/> is "default" or the request index).</summary>
internal sealed record StreamError(string Subscription, string Message);

/// <summary>A stream (or bucket definition, shown as a default stream) in the <c>checkpoint</c> line.</summary>
internal sealed record StreamDescription(string Name, bool IsDefault, IReadOnlyList<StreamError> Errors);

/// <summary><c>{"checkpoint":{...}}</c>: the full bucket set; resets the client's view.</summary>
internal sealed record CheckpointLine(OpId LastOpId, long? WriteCheckpoint, IReadOnlyList<CheckpointBucket> Buckets, IReadOnlyList<StreamDescription> Streams) : SyncLine;

/// <summary><c>{"checkpoint_diff":{...}}</c>: what changed since the previous checkpoint line.</summary>
internal sealed record CheckpointDiffLine(OpId LastOpId, long? WriteCheckpoint, IReadOnlyList<CheckpointBucket> UpdatedBuckets, IReadOnlyList<string> RemovedBuckets) : SyncLine;

/// <summary><c>{"data":{...}}</c>: a page of one bucket's ops.</summary>
internal sealed record DataLine(BucketDataPage Page) : SyncLine;

/// <summary><c>{"checkpoint_complete":{...}}</c>: everything up to the checkpoint has been sent.</summary>
internal sealed record CheckpointCompleteLine(OpId LastOpId) : SyncLine;

/// <summary><c>{"partial_checkpoint_complete":{...}}</c>: every bucket of this priority (and higher) is complete.</summary>
internal sealed record PartialCheckpointCompleteLine(OpId LastOpId, int Priority) : SyncLine;

/// <summary><c>{"token_expires_in":n}</c>: keepalive; 0 means the token expired and the stream ends.</summary>
internal sealed record KeepaliveLine(long TokenExpiresInSeconds) : SyncLine;
