namespace PowerSync.Core.Storage;

/// <summary>Sync-rules versions and resets.</summary>
internal interface IBucketStorageAdmin
{
    /// <summary>Stores a new version as <see cref="SyncRulesState.Processing"/> (or returns the newest one when its content is identical).</summary>
    Task<SyncRulesVersion> DeployAsync(string content, CancellationToken ct);

    /// <summary>
    /// Stores a fresh copy of <paramref name="version"/> (same rules, new slot) to replicate from a new
    /// snapshot, because its replication slot was lost. The version itself keeps serving until the
    /// copy becomes active. A newer version already processing is returned instead.
    /// </summary>
    Task<SyncRulesVersion> ReplaceAsync(SyncRulesVersion version, CancellationToken ct);

    /// <summary>Versions that no longer replicate (stopped or terminated) and still name a slot: theirs can be dropped.</summary>
    Task<IReadOnlyList<SyncRulesVersion>> GetRetiredAsync(CancellationToken ct);

    /// <summary>Forgets a retired version's slot once it has been dropped at the source.</summary>
    Task ForgetSlotAsync(SyncRulesVersion version, CancellationToken ct);

    /// <summary>The version clients are served from, if any.</summary>
    Task<SyncRulesVersion?> GetActiveAsync(CancellationToken ct);

    /// <summary>The version replicating in the background, if any.</summary>
    Task<SyncRulesVersion?> GetProcessingAsync(CancellationToken ct);

    /// <summary>Every stored version with its state and replication progress, oldest first (for status reports).</summary>
    Task<IReadOnlyList<(SyncRulesVersion Version, VersionState State)>> ListVersionsAsync(CancellationToken ct);

    /// <summary>Opens the single writer of a version (active or processing).</summary>
    Task<IBucketStorageWriter> OpenWriterAsync(SyncRulesVersion version, CancellationToken ct);

    /// <summary>Deletes the data of stopped versions, in bounded batches.</summary>
    Task RemoveStoppedVersionsAsync(CancellationToken ct);

    /// <summary>Deletes everything: versions, ops, lookups, write checkpoints.</summary>
    Task ResetAsync(CancellationToken ct);
}

/// <summary>A bucket store: one object, narrow views for each user of it.</summary>
internal interface IBucketStorage : IAsyncDisposable
{
    IBucketStorageReader Reader { get; }
    ICheckpointWatcher Checkpoints { get; }
    IWriteCheckpointStore WriteCheckpoints { get; }
    IBucketCompactor Compactor { get; }
    IBucketStorageAdmin Admin { get; }
}
