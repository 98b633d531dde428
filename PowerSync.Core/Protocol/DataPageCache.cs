using System.Collections.Concurrent;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Pages of bucket ops shared by every connection of this instance. Clients that sync the same
/// bucket from the same position to the same checkpoint (every client of a shared bucket, after a
/// change) get one storage read between them: the first request loads, the others await it.
/// Bounded: past <paramref name="maxEntries"/> the cache starts over.
/// </summary>
internal sealed class DataPageCache(IBucketStorageReader reader, int maxEntries = 10_000)
{
    private readonly record struct Key(long Version, string Bucket, long After, long Checkpoint, int MaxOps, int MaxBytes);

    private readonly ConcurrentDictionary<Key, Lazy<Task<BucketDataPage>>> _pages = new();

    public Task<BucketDataPage> ReadAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytes, CancellationToken ct)
    {
        if (_pages.Count >= maxEntries) _pages.Clear();
        var key = new Key(checkpoint.RulesVersion, position.Bucket, position.After.Value, checkpoint.OpId.Value, maxOps, maxBytes);
        // The load itself is not cancelled by one waiter going away: other connections may be waiting on it.
        var page = _pages.GetOrAdd(key, _ => new Lazy<Task<BucketDataPage>>(
            () => reader.ReadBucketPageAsync(checkpoint, position, maxOps, maxBytes, CancellationToken.None)));
        var task = page.Value;
        if (task.IsFaulted || task.IsCanceled) _pages.TryRemove(new KeyValuePair<Key, Lazy<Task<BucketDataPage>>>(key, page));
        return task.WaitAsync(ct);
    }
}
