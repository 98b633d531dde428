namespace PowerSync.Client.Sync;

/// <summary>
/// The subscriptions in use in this process: how many <see cref="SyncStreamSubscription"/> objects hold each stream key.
/// While connected, a key in use keeps its subscription from expiring; a change (first holder, last one gone) is
/// reported to <see cref="Changed"/>, so the connection can ask the service for the new set.
/// </summary>
internal sealed class StreamSubscriptions(StreamSubscriptionStore store)
{
    private readonly object _gate = new();
    private readonly Dictionary<StreamKey, int> _holders = [];

    public StreamSubscriptionStore Store { get; } = store;

    /// <summary>Raised after the set of keys in use changed (on the caller's thread; must not block).</summary>
    public event Action? Changed;

    /// <summary>The keys in use now.</summary>
    public IReadOnlyCollection<StreamKey> Active
    {
        get
        {
            lock (_gate) return [.. _holders.Keys];
        }
    }

    /// <summary>One more holder of <paramref name="key"/> (the caller reports the change with <see cref="Touch"/>).</summary>
    public void Hold(StreamKey key)
    {
        lock (_gate) _holders[key] = _holders.TryGetValue(key, out var count) ? count + 1 : 1;
    }

    public void Release(StreamKey key)
    {
        bool removed;
        lock (_gate)
        {
            if (!_holders.TryGetValue(key, out var count)) return;
            removed = count == 1;
            if (removed) _holders.Remove(key);
            else _holders[key] = count - 1;
        }

        if (removed) Changed?.Invoke();
    }

    /// <summary>Tells the connection to compare its request with the subscriptions now (after a change of the table or the holders).</summary>
    public void Touch() => Changed?.Invoke();
}
