namespace PowerSync.Core.Storage;

/// <summary>What sync sessions read. Every read is at a checkpoint and sees nothing after it.</summary>
internal interface IBucketStorageReader
{
    /// <summary>The active version's latest checkpoint, or null when nothing is servable yet.</summary>
    Task<Checkpoint?> GetCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Checksum and count of each bucket at the checkpoint (buckets with no ops: checksum 0, count 0).</summary>
    Task<IReadOnlyList<BucketChecksum>> GetChecksumsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> buckets, CancellationToken cancellationToken);

    /// <summary>Ops of one bucket in <c>(after, checkpoint]</c>, at most <paramref name="maxOps"/> ops and about <paramref name="maxBytes"/> of data.</summary>
    Task<BucketDataPage> ReadBucketPageAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytes, CancellationToken cancellationToken);

    /// <summary>Parameter sets (JSON texts) of each lookup key at the checkpoint: the newest entry per source row, removed ones excluded.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetParameterSetsAsync(Checkpoint checkpoint, IReadOnlyCollection<string> lookups, CancellationToken cancellationToken);
}

/// <summary>New checkpoints as they happen: no polling per subscriber.</summary>
internal interface ICheckpointWatcher
{
    /// <summary>The current checkpoint (if any) first, then each newer one; a slow reader skips to the latest.</summary>
    IAsyncEnumerable<Checkpoint> WatchAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The trace context of the storage commit that made <paramref name="checkpoint"/>, while it is the latest and that
    /// commit was traced; default otherwise.
    /// </summary>
    System.Diagnostics.ActivityContext TraceOf(Checkpoint checkpoint) => default;
}
