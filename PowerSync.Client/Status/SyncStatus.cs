namespace PowerSync.Client.Status;

/// <summary>An immutable snapshot of the sync state; see <see cref="PowerSyncDatabase.CurrentStatus"/>.</summary>
public sealed record SyncStatus
{
    /// <summary>The sync stream is open.</summary>
    public bool Connected { get; init; }

    /// <summary>A connection attempt is under way (or waiting to retry).</summary>
    public bool Connecting { get; init; }

    /// <summary>A checkpoint is being downloaded.</summary>
    public bool Downloading { get; init; }

    /// <summary>Local writes are being uploaded.</summary>
    public bool Uploading { get; init; }

    /// <summary>When the last full checkpoint was applied.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>True once a full checkpoint was applied (null until the local state was read).</summary>
    public bool? HasSynced { get; init; }

    /// <summary>Per-priority state, ascending priority number.</summary>
    public IReadOnlyList<SyncPriorityStatus> PriorityStatus { get; init; } = [];

    /// <summary>
    /// The stream subscriptions the client tracks (explicit ones and default streams), in the order they were first
    /// tracked; after a checkpoint, with what it says about each (see <see cref="ForStream"/>).
    /// </summary>
    public IReadOnlyList<SyncStreamStatus> SyncStreams { get; init; } = [];

    /// <summary>The state of the subscription to stream <paramref name="name"/> with <paramref name="parameters"/>, or null when it is not tracked.</summary>
    public SyncStreamStatus? ForStream(string name, IReadOnlyDictionary<string, object?>? parameters = null) =>
        ForKey(Sync.StreamKey.For(name, parameters));

    internal SyncStreamStatus? ForKey(Sync.StreamKey key)
    {
        var parameters = key.ParametersJson == "null" ? null : key.ParametersJson;
        return SyncStreams.FirstOrDefault(s => s.Name == key.Name && s.ParametersJson == parameters);
    }

    /// <summary>Progress while downloading, else null.</summary>
    public SyncProgress? DownloadProgress { get; init; }

    /// <summary>The last download error (cleared once a checkpoint is applied).</summary>
    public Exception? DownloadError { get; init; }

    /// <summary>The last upload error (cleared after a successful upload).</summary>
    public Exception? UploadError { get; init; }

    /// <summary>
    /// The largest write checkpoint (a checkpoint request id or a legacy write checkpoint) of a full checkpoint applied
    /// to the local tables since the database opened: what <see cref="PowerSyncDatabase.RequestCheckpointAsync"/> waits for.
    /// </summary>
    internal long? AppliedWriteCheckpoint { get; init; }

    /// <summary>
    /// A download error that waiting does not fix (a <see cref="PowerSyncClientException"/> whose code is not transient:
    /// refused credentials, a rejected request, a protocol error), which ends waits for syncing; null otherwise.
    /// </summary>
    internal PowerSyncClientException? ErrorEndingWaits => DownloadError is PowerSyncClientException { IsTransient: false } error ? error : null;

    /// <summary>
    /// The state of the buckets with priority number &lt;= <paramref name="priority"/>: the closest
    /// entry at or below that priority (the smallest number &gt;= it), a full sync counting for all.
    /// </summary>
    public SyncPriorityStatus StatusForPriority(int priority)
    {
        foreach (var entry in PriorityStatus.OrderBy(p => p.Priority))
        {
            if (entry.Priority >= priority) return entry;
        }

        return new SyncPriorityStatus(priority, LastSyncedAt, HasSynced == true);
    }
}
