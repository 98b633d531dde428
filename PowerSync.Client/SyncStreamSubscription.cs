using PowerSync.Client.Sync;

namespace PowerSync.Client;

/// <summary>
/// A subscription to a <see cref="SyncStream"/> in use (from <see cref="SyncStream.SubscribeAsync"/>). Keep it while
/// the app needs the stream's data; <see cref="UnsubscribeAsync"/> (or disposing it) starts the TTL, after which the
/// service stops syncing the stream unless it was subscribed again.
/// </summary>
public sealed class SyncStreamSubscription : IAsyncDisposable
{
    private readonly PowerSyncDatabase _database;
    private readonly StreamSubscriptions _subscriptions;
    private readonly SyncStream _stream;
    private int _released;

    internal SyncStreamSubscription(PowerSyncDatabase database, StreamSubscriptions subscriptions, SyncStream stream)
    {
        _database = database;
        _subscriptions = subscriptions;
        _stream = stream;
    }

    /// <summary>The stream's name.</summary>
    public string Name => _stream.Name;

    /// <summary>The subscription's parameters, or null.</summary>
    public IReadOnlyDictionary<string, object?>? Parameters => _stream.Parameters;

    /// <summary>
    /// Waits until a checkpoint with this subscription's data was applied (at once when it was before, even in an earlier
    /// run). Throws a <see cref="PowerSyncClientException"/> with <see cref="ClientErrorCodes.StreamSubscriptionFailed"/>
    /// when the service lacks the stream or cannot resolve the subscription, and, like
    /// <see cref="PowerSyncDatabase.WaitForFirstSyncAsync"/>, the sync stream's errors that waiting does not fix.
    /// </summary>
    public Task WaitForFirstSyncAsync(CancellationToken cancellationToken = default) => _database.WaitForStreamAsync(_stream.Key, cancellationToken);

    /// <summary>
    /// Stops using the subscription (once; later calls do nothing): when no other subscription object holds the same
    /// stream and parameters, its TTL starts and it is dropped from the sync request once expired.
    /// </summary>
    public Task UnsubscribeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _subscriptions.Release(_stream.Key);
        return Task.CompletedTask;
    }

    /// <summary>Same as <see cref="UnsubscribeAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(UnsubscribeAsync());
}
