using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace PowerSync.Client.Status;

/// <summary>
/// Holds the current <see cref="SyncStatus"/> and notifies watchers of each change, and <paramref name="changed"/>
/// (which must not block: it runs under the lock, so that every watcher sees the changes in their order).
/// </summary>
internal sealed class SyncStatusTracker(Action<SyncStatus>? changed = null)
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
        lock (_gate)
        {
            var next = change(_current);
            if (next == _current) return;
            _current = next;
            foreach (var watcher in _watchers) watcher.Writer.TryWrite(next);
            changed?.Invoke(next);
        }
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

    /// <summary>
    /// Waits until <paramref name="predicate"/> holds; throws when first <paramref name="failure"/> names an error
    /// (see <see cref="SyncStatus.ErrorEndingWaits"/>), wrapped with <paramref name="what"/> and the error's code.
    /// </summary>
    public async Task<SyncStatus> WaitForAsync(Func<SyncStatus, bool> predicate, Func<SyncStatus, PowerSyncClientException?> failure, string what, CancellationToken cancellationToken)
    {
        var status = await WaitForAsync(s => predicate(s) || failure(s) is not null, cancellationToken).ConfigureAwait(false);
        if (predicate(status)) return status;
        var error = failure(status)!;
        throw new PowerSyncClientException(error.Code, $"{what} stopped waiting: {error.Message}", error);
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
