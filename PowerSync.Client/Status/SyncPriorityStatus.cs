namespace PowerSync.Client.Status;

/// <summary>Sync state of the buckets up to one priority (0 is the highest; <see cref="int.MaxValue"/> is a full sync).</summary>
/// <param name="Priority">The priority number.</param>
/// <param name="LastSyncedAt">When a checkpoint including these buckets was last applied.</param>
/// <param name="HasSynced">True once such a checkpoint was applied.</param>
public sealed record SyncPriorityStatus(int Priority, DateTimeOffset? LastSyncedAt, bool HasSynced);
