namespace PowerSync.Core.Storage;

/// <summary>Settings every embedded bucket store takes.</summary>
/// <param name="Path">The store's database file (created when missing); its companion files live beside it.</param>
/// <param name="FullSync">
/// Flush every commit to disk (fsync of the store's log file) before its checkpoint is visible and before
/// its LSN is acknowledged to Postgres, after which Postgres may drop that WAL. Keep it on in production.
/// The flush runs on a second thread, overlapping the writer's next batch.
/// </param>
/// <param name="FlushOps">Buffered ops written per storage flush while a source transaction streams.</param>
/// <param name="FlushBytes">Buffered data bytes that also trigger a flush (bounds memory for large rows).</param>
/// <param name="ChecksumCacheEntries">Bucket checksums kept in memory between requests.</param>
internal abstract record BucketStorageOptions(string Path, bool FullSync, int FlushOps, int FlushBytes, int ChecksumCacheEntries)
{
    /// <summary>Test hook: called at named points of the write path; throwing there simulates a crash.</summary>
    internal Action<string>? FaultInjection { get; init; }

    /// <summary>Every problem with the options, together.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path)) errors.Add("Path must name the bucket store's database file.");
        if (FlushOps < 1) errors.Add($"FlushOps must be at least 1 (was {FlushOps}).");
        if (FlushBytes < 1024) errors.Add($"FlushBytes must be at least 1024 (was {FlushBytes}).");
        if (ChecksumCacheEntries < 0) errors.Add($"ChecksumCacheEntries cannot be negative (was {ChecksumCacheEntries}).");
        if (errors.Count > 0)
            throw new ArgumentException("Invalid bucket store options: " + string.Join(" ", errors));
    }
}
