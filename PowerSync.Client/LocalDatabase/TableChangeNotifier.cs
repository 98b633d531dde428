using System.Collections.Concurrent;

namespace PowerSync.Client.LocalDatabase;

/// <summary>Delivers the set of tables changed by each committed write to its subscribers.</summary>
internal sealed class TableChangeNotifier
{
    private readonly ConcurrentDictionary<long, Action<IReadOnlyCollection<string>>> _subscribers = new();
    private long _nextId;

    public IDisposable Subscribe(Action<IReadOnlyCollection<string>> onChange)
    {
        var id = Interlocked.Increment(ref _nextId);
        _subscribers[id] = onChange;
        return new Subscription(this, id);
    }

    public void Publish(IReadOnlyCollection<string> tables)
    {
        if (tables.Count == 0) return;
        foreach (var subscriber in _subscribers.Values) subscriber(tables);
    }

    private sealed class Subscription(TableChangeNotifier owner, long id) : IDisposable
    {
        public void Dispose() => owner._subscribers.TryRemove(id, out _);
    }
}
