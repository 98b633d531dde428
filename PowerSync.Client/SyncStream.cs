using PowerSync.Client.Sync;

namespace PowerSync.Client;

/// <summary>
/// A stream of the service's sync config with the parameters of a subscription (<see cref="PowerSyncDatabase.SyncStream"/>):
/// subscribe to sync its data, the way the official SDKs' <c>syncStream(name, params).subscribe()</c> does.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The official SDKs' name for a sync stream (Sync Streams), not an I/O stream.")]
public sealed class SyncStream
{
    private readonly PowerSyncDatabase _database;
    private readonly StreamSubscriptions _subscriptions;

    internal SyncStream(PowerSyncDatabase database, StreamSubscriptions subscriptions, string name, IReadOnlyDictionary<string, object?>? parameters)
    {
        _database = database;
        _subscriptions = subscriptions;
        Name = name;
        Parameters = parameters;
        Key = StreamKey.For(name, parameters);
    }

    /// <summary>The stream's name in the service's sync config.</summary>
    public string Name { get; }

    /// <summary>The subscription's parameters (<c>subscription.parameter('key')</c> in the stream's queries), or null.</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; }

    internal StreamKey Key { get; }

    /// <summary>
    /// Subscribes: the subscription is stored in the local database (kept across restarts) and sent with the sync request;
    /// while connected, a change of subscriptions reopens the sync stream with the new set. The subscription stays in use
    /// until <see cref="SyncStreamSubscription.UnsubscribeAsync"/>; from then (or from closing the app) it expires after
    /// <paramref name="ttl"/> (default one day) unless subscribed again. <paramref name="priority"/> (0 highest ... 3)
    /// overrides the stream's priority for this subscription's buckets. Subscribing again renews the TTL.
    /// </summary>
    public async Task<SyncStreamSubscription> SubscribeAsync(TimeSpan? ttl = null, int? priority = null, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        if (ttl is { } t && t < TimeSpan.FromSeconds(1)) errors.Add($"The TTL is {t}: use at least one second (it is stored in seconds).");
        if (priority is < 0 or > 3) errors.Add($"The priority is {priority}: use 0 (highest), 1, 2 or 3.");
        if (errors.Count > 0)
            throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, $"Invalid subscription to stream '{Name}':\n- " + string.Join("\n- ", errors));
        await _subscriptions.Store.SubscribeAsync(Key, ttl, priority, cancellationToken).ConfigureAwait(false);
        await _database.RefreshStreamStatusAsync(cancellationToken).ConfigureAwait(false);
        _subscriptions.Hold(Key);
        _subscriptions.Touch();
        return new SyncStreamSubscription(_database, _subscriptions, this);
    }

    /// <summary>
    /// Ends every subscription to this stream with these parameters now, without waiting for a TTL (including those
    /// still held by subscription objects): the service stops syncing it. Use with care; <c>unsubscribeAll</c> in the
    /// official SDKs.
    /// </summary>
    public async Task UnsubscribeAllAsync(CancellationToken cancellationToken = default)
    {
        await _subscriptions.Store.UnsubscribeAllAsync(Key, cancellationToken).ConfigureAwait(false);
        await _database.RefreshStreamStatusAsync(cancellationToken).ConfigureAwait(false);
        _subscriptions.Touch();
    }
}
