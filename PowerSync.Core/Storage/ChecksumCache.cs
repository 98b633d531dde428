using System.Collections.Concurrent;

namespace PowerSync.Core.Storage;

/// <summary>
/// Bucket checksums shared by every session. An entry computed at checkpoint op <c>At</c> stays valid
/// for every later checkpoint until a commit changes the bucket: the writer then replaces it with a
/// tombstone carrying the change's op id, and a late store of a value computed before that change is
/// refused. Compaction (which changes counts) bumps an epoch that refuses every store begun before it.
/// </summary>
internal sealed class ChecksumCache(int maxEntries)
{
    private readonly ConcurrentDictionary<(long Version, string Bucket), Entry> _entries = new();
    private long _epoch;

    private sealed record Entry(long At, uint Checksum, long Count, bool Tombstone);

    /// <summary>Read before computing a value from storage; pass to <see cref="Store"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>
    /// Each bucket's checksum at <paramref name="checkpoint"/>, in order: cached values as they are, the
    /// others computed together by <paramref name="compute"/> (one value per bucket it is given, in order) and kept.
    /// </summary>
    public IReadOnlyList<BucketChecksum> GetOrCompute(Checkpoint checkpoint, IReadOnlyCollection<string> buckets, Func<List<string>, IReadOnlyList<BucketChecksum>> compute)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var results = new List<BucketChecksum>(buckets.Count);
        List<string>? misses = null;
        foreach (var bucket in buckets)
        {
            if (TryGet(checkpoint.RulesVersion, bucket, checkpoint.OpId, out var cached)) results.Add(cached);
            else (misses ??= []).Add(bucket);
        }
        if (misses is null) return results;
        var epoch = Epoch;
        foreach (var value in compute(misses))
        {
            Store(checkpoint.RulesVersion, value, checkpoint.OpId, epoch);
            results.Add(value);
        }
        return results;
    }

    public bool TryGet(long version, string bucket, OpId checkpoint, out BucketChecksum checksum)
    {
        if (_entries.TryGetValue((version, bucket), out var e) && !e.Tombstone && e.At <= checkpoint.Value)
        {
            checksum = new BucketChecksum(bucket, e.Checksum, e.Count);
            return true;
        }
        checksum = default;
        return false;
    }

    /// <summary>Keeps a value computed at <paramref name="checkpoint"/>, unless the bucket changed after it or the epoch moved.</summary>
    public void Store(long version, BucketChecksum value, OpId checkpoint, long epoch)
    {
        if (maxEntries == 0) return;
        if (_entries.Count >= maxEntries)
        {
            Interlocked.Increment(ref _epoch);
            _entries.Clear();
            return;
        }
        var fresh = new Entry(checkpoint.Value, value.Checksum, value.Count, Tombstone: false);
        _entries.AddOrUpdate((version, value.Bucket), fresh,
            (_, existing) => existing.At <= checkpoint.Value ? fresh : existing);
        // A change or a compaction may have landed while we computed: undo rather than serve stale.
        if (Epoch != epoch) _entries.TryRemove(new KeyValuePair<(long, string), Entry>((version, value.Bucket), fresh));
    }

    /// <summary>A commit wrote ops up to <paramref name="opId"/> into these buckets.</summary>
    public void BucketsChanged(long version, IEnumerable<string> buckets, long opId)
    {
        var tombstone = new Entry(opId, 0, 0, Tombstone: true);
        foreach (var bucket in buckets)
        {
            _entries.AddOrUpdate((version, bucket), tombstone,
                (_, existing) => existing.At > opId && !existing.Tombstone ? existing : tombstone);
        }
    }

    /// <summary>Compaction changed op counts: forget everything and refuse stores begun before now.</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref _epoch);
        _entries.Clear();
    }
}
