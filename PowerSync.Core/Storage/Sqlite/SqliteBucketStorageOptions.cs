namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Settings of the embedded bucket store.</summary>
/// <param name="Path">The database file (created when missing); its <c>-wal</c>/<c>-shm</c> companions live beside it.</param>
/// <param name="FullSync">
/// Flush every commit to disk (fsync of the WAL) before its checkpoint is visible and before its LSN
/// is acknowledged to Postgres, after which Postgres may drop that WAL. Keep it on in production. The
/// flush runs on a second thread, overlapping the writer's next batch.
/// </param>
/// <param name="FlushOps">Buffered ops written per storage transaction while a source transaction streams.</param>
/// <param name="FlushBytes">Buffered data bytes that also trigger a flush (bounds memory for large rows).</param>
/// <param name="ChecksumCacheEntries">Bucket checksums kept in memory between requests.</param>
internal sealed record SqliteBucketStorageOptions(
    string Path,
    bool FullSync = true,
    int FlushOps = 2_000,
    int FlushBytes = 8 * 1024 * 1024,
    int ChecksumCacheEntries = 100_000)
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
