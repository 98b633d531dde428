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

    /// <summary>
    /// The superseded-op pass over one bucket's PUT/REMOVE ops read newest first as (op id, row): an op whose row
    /// appears again later becomes a MOVE to that later op, handed to <paramref name="applyMoves"/> in batches of
    /// <see cref="CompactionOptions.BatchSize"/> (it returns how many it rewrote). Tracks at most
    /// <see cref="CompactionOptions.MaxTrackedRows"/> rows; returns the ops read and moved.
    /// </summary>
    public static (long Scanned, long Moved) MoveSuperseded(IEnumerable<(long OpId, (string, string, string) Row)> newestFirst,
        CompactionOptions options, Func<List<(long OpId, long Target)>, long> applyMoves)
    {
        var later = new Dictionary<(string, string, string), long>();
        var batch = new List<(long OpId, long Target)>();
        long scanned = 0, moved = 0;
        foreach (var (opId, row) in newestFirst)
        {
            scanned++;
            if (later.TryGetValue(row, out var target))
            {
                batch.Add((opId, target));
                if (batch.Count >= options.BatchSize)
                {
                    moved += applyMoves(batch);
                    batch.Clear();
                }
            }
            else if (later.Count < options.MaxTrackedRows)
            {
                later[row] = opId;
            }
        }
        if (batch.Count > 0) moved += applyMoves(batch);
        return (scanned, moved);
    }
}
