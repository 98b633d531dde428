namespace PowerSync.Client.Crud;

/// <summary>What the upload queue holds (see <see cref="PowerSyncDatabase.GetUploadQueueStatsAsync"/>).</summary>
/// <param name="Count">Queued local writes (one per row written, not per transaction).</param>
/// <param name="SizeBytes">
/// The UTF-8 bytes of their queued JSON (<see cref="CrudEntry.RawJson"/>), what an upload of them all carries at
/// least; null unless asked for, as it reads every entry.
/// </param>
public sealed record UploadQueueStats(long Count, long? SizeBytes = null);
