namespace PowerSync.Core.Storage;

/// <summary>
/// Compaction: superseded PUT/REMOVE become MOVE, a bucket's leading run of non-PUT ops becomes one
/// CLEAR. No bucket checksum ever changes. Runs online while sessions read, in bounded memory.
/// </summary>
internal interface IBucketCompactor
{
    Task<CompactionResult> CompactAsync(CompactionOptions options, CancellationToken cancellationToken);
}

/// <summary>What to compact and with how much memory.</summary>
/// <param name="Buckets">Only these buckets; null for every bucket of the active version.</param>
/// <param name="MaxTrackedRows">Row keys remembered per bucket scan; past it, older ops are left as they are (still correct).</param>
/// <param name="BatchSize">Ops rewritten per storage transaction.</param>
internal sealed record CompactionOptions(IReadOnlyCollection<string>? Buckets = null, int MaxTrackedRows = 1_000_000, int BatchSize = 10_000);

/// <summary>What a compaction run did.</summary>
internal sealed record CompactionResult(long BucketsScanned, long OpsScanned, long OpsMoved, long OpsCleared);

/// <summary>The run every store's compactor makes.</summary>
internal static class Compaction
{
    /// <summary>
    /// Compacts each bucket in turn — superseded ops to MOVE, then the leading run to CLEAR — yielding
    /// between buckets, then drops every cached checksum (counts changed); returns what was done.
    /// </summary>
    public static async Task<CompactionResult> RunAsync<TBucket>(IEnumerable<TBucket> buckets,
        Func<TBucket, (long Scanned, long Moved)> moveSuperseded, Func<TBucket, long> clearPrefix, ChecksumCache checksums, CancellationToken cancellationToken)
    {
        long scanned = 0, opsScanned = 0, moved = 0, cleared = 0;
        foreach (var bucket in buckets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (ops, movedHere) = moveSuperseded(bucket);
            cleared += clearPrefix(bucket);
            scanned++;
            opsScanned += ops;
            moved += movedHere;
            await Task.Yield();
        }
        checksums.InvalidateAll();
        return new CompactionResult(scanned, opsScanned, moved, cleared);
    }
}
