namespace PowerSync.Core.Storage.Sqlite;

/// <summary>Settings of the embedded SQLite bucket store (see <see cref="BucketStorageOptions"/>).</summary>
/// <param name="Path">The database file (created when missing); its <c>-wal</c>/<c>-shm</c> companions live beside it.</param>
/// <param name="FullSync">Flush every commit to disk (fsync of the WAL) before it counts; keep it on in production.</param>
/// <param name="FlushOps">Buffered ops written per storage transaction while a source transaction streams.</param>
/// <param name="FlushBytes">Buffered data bytes that also trigger a flush (bounds memory for large rows).</param>
/// <param name="ChecksumCacheEntries">Bucket checksums kept in memory between requests.</param>
internal sealed record SqliteBucketStorageOptions(
    string Path,
    bool FullSync = true,
    int FlushOps = 2_000,
    int FlushBytes = 8 * 1024 * 1024,
    int ChecksumCacheEntries = 100_000) : BucketStorageOptions(Path, FullSync, FlushOps, FlushBytes, ChecksumCacheEntries);
