using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace PowerSync.Client.Status;

/// <summary>Holds the current <see cref="SyncStatus"/> and notifies watchers of each change.</summary>
internal sealed class SyncStatusTracker
{
    private readonly object _gate = new();
    private readonly List<Channel<SyncStatus>> _watchers = [];
    private SyncStatus _current = new();

    public SyncStatus Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    public void Update(Func<SyncStatus, SyncStatus> change)
    {
        Channel<SyncStatus>[] watchers;
        SyncStatus next;
        lock (_gate)
        {
            next = change(_current);
            if (next == _current) return;
            _current = next;
            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers) watcher.Writer.TryWrite(next);
    }

    public async IAsyncEnumerable<SyncStatus> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SyncStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        SyncStatus first;
        lock (_gate)
        {
            first = _current;
            _watchers.Add(channel);
        }

        try
        {
            yield return first;
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var status)) yield return status;
            }
        }
        finally
        {
            lock (_gate) _watchers.Remove(channel);
        }
    }

    public async Task<SyncStatus> WaitForAsync(Func<SyncStatus, bool> predicate, CancellationToken cancellationToken)
    {
        await foreach (var status in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (predicate(status)) return status;
        }

        throw new OperationCanceledException(cancellationToken);
    }
}
