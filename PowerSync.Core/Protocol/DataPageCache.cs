using System.Collections.Concurrent;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Pages of bucket ops shared by every connection of this instance. Clients that sync the same
/// bucket from the same position to the same checkpoint (every client of a shared bucket, after a
/// change) get one storage read between them: the first request loads, the others await it.
/// Bounded: past <paramref name="maxEntries"/> pages, or once the loaded pages hold about
/// <paramref name="maxBytes"/> (a large download passes through page after page), the cache starts over.
/// </summary>
internal sealed class DataPageCache(IBucketStorageReader reader, int maxEntries = 10_000, long maxBytes = DataPageCache.DefaultMaxBytes)
{
    /// <summary>64 MiB of loaded pages (their ops' UTF-8 text twice, as read and as serialized, plus a per-op allowance).</summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>Bytes counted per op beside its text: the op object, its arrays' headers, the list slot, the line's field names.</summary>
    private const int OpOverhead = 160;

    private readonly record struct Key(long Version, string Bucket, long After, long Checkpoint, int MaxOps, int MaxBytes);

    private readonly ConcurrentDictionary<Key, Lazy<Task<BucketDataPage>>> _pages = new();
    private long _bytes;

    /// <summary>Pages held now (for tests and diagnostics).</summary>
    public int Count => _pages.Count;

    /// <summary>Approximate bytes of the pages loaded since the cache last started over.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public Task<BucketDataPage> ReadAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytesPerPage, CancellationToken cancellationToken)
    {
        if (_pages.Count >= maxEntries || Interlocked.Read(ref _bytes) >= maxBytes) StartOver();
        var key = new Key(checkpoint.RulesVersion, position.Bucket, position.After.Value, checkpoint.OpId.Value, maxOps, maxBytesPerPage);
        // The load itself is not cancelled by one waiter going away: other connections may be waiting on it.
        var page = _pages.GetOrAdd(key, _ => new Lazy<Task<BucketDataPage>>(() => LoadAsync(checkpoint, position, maxOps, maxBytesPerPage)));
        var task = page.Value;
        if (task.IsFaulted || task.IsCanceled) _pages.TryRemove(new KeyValuePair<Key, Lazy<Task<BucketDataPage>>>(key, page));
        return task.WaitAsync(cancellationToken);
    }

    private async Task<BucketDataPage> LoadAsync(Checkpoint checkpoint, BucketPosition position, int maxOps, int maxBytesPerPage)
    {
        var page = await reader.ReadBucketPageAsync(checkpoint, position, maxOps, maxBytesPerPage, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Add(ref _bytes, Size(page));
        return page;
    }

    private void StartOver()
    {
        _pages.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    private static long Size(BucketDataPage page)
    {
        long bytes = 0;
        foreach (var op in page.Ops)
            bytes += OpOverhead + 2L * ((op.Data?.Length ?? 0) + (op.ObjectId?.Length ?? 0) + (op.Subkey?.Length ?? 0));
        return bytes;
    }
}
