namespace PowerSync.Client.Status;

/// <summary>
/// The state of one stream subscription (<see cref="SyncStatus.SyncStreams"/>): an explicit one
/// (<see cref="SyncStream.SubscribeAsync"/>), a default stream the service syncs (<c>auto_subscribe: true</c>), or both.
/// </summary>
public sealed record SyncStreamStatus
{
    /// <summary>The stream's name in the service's sync config.</summary>
    public required string Name { get; init; }

    /// <summary>The subscription's parameters as a JSON object, or null for none.</summary>
    public string? ParametersJson { get; init; }

    /// <summary>The service's last checkpoint included the stream.</summary>
    public bool Active { get; init; }

    /// <summary>The service syncs the stream by default (it may have an explicit subscription as well).</summary>
    public bool IsDefault { get; init; }

    /// <summary>The app subscribed to it and the subscription has not expired (it may be a default stream as well).</summary>
    public bool HasExplicitSubscription { get; init; }

    /// <summary>When the explicit subscription expires unless it is in use (subscribed again, or held by a subscription object while connected).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When a checkpoint with the stream's data was last applied.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>True once a checkpoint with the stream's data was applied.</summary>
    public bool HasSynced => LastSyncedAt is not null;

    /// <summary>The highest priority (smallest number) of the stream's buckets in the current checkpoint; null before one.</summary>
    public int? Priority { get; init; }

    /// <summary>The download progress of the stream's buckets while a checkpoint downloads; else null.</summary>
    public SyncProgress? Progress { get; init; }

    /// <summary>
    /// Why the subscription cannot sync (<see cref="ClientErrorCodes.StreamSubscriptionFailed"/>: the service lacks the
    /// stream, or could not resolve the subscription), or null.
    /// </summary>
    public PowerSyncClientException? Error { get; init; }
}
