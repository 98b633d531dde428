namespace PowerSync.Core.Storage;

/// <summary>Sync-rules versions and resets.</summary>
internal interface IBucketStorageAdmin
{
    /// <summary>Stores a new version as <see cref="SyncRulesState.Processing"/> (or returns the newest one when its content is identical).</summary>
    Task<SyncRulesVersion> DeployAsync(string content, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a fresh copy of <paramref name="version"/> (same rules, new slot) to replicate from a new
    /// snapshot, because its replication slot was lost. The version itself keeps serving until the
    /// copy becomes active. A newer version already processing is returned instead.
    /// </summary>
    Task<SyncRulesVersion> ReplaceAsync(SyncRulesVersion version, CancellationToken cancellationToken);

    /// <summary>Versions that no longer replicate (stopped or terminated) and still name a slot: theirs can be dropped.</summary>
    Task<IReadOnlyList<SyncRulesVersion>> GetRetiredAsync(CancellationToken cancellationToken);

    /// <summary>Forgets a retired version's slot once it has been dropped at the source.</summary>
    Task ForgetSlotAsync(SyncRulesVersion version, CancellationToken cancellationToken);

    /// <summary>The version clients are served from, if any.</summary>
    Task<SyncRulesVersion?> GetActiveAsync(CancellationToken cancellationToken);

    /// <summary>The version replicating in the background, if any.</summary>
    Task<SyncRulesVersion?> GetProcessingAsync(CancellationToken cancellationToken);

    /// <summary>Every stored version with its state and replication progress, oldest first (for status reports).</summary>
    Task<IReadOnlyList<(SyncRulesVersion Version, VersionState State)>> ListVersionsAsync(CancellationToken cancellationToken);

    /// <summary>Opens the single writer of a version (active or processing).</summary>
    Task<IBucketStorageWriter> OpenWriterAsync(SyncRulesVersion version, CancellationToken cancellationToken);

    /// <summary>Deletes the data of stopped versions, in bounded batches.</summary>
    Task RemoveStoppedVersionsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes everything: versions, ops, lookups, write checkpoints.</summary>
    Task ResetAsync(CancellationToken cancellationToken);
}
