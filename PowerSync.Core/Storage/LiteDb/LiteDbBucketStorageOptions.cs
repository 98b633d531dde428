namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// Settings of the LiteDB bucket store, as <see cref="BucketStorageOptions"/> describes them; LiteDB keeps
/// its <c>-log</c> file beside <c>Path</c>, and full sync fsyncs that file.
/// </summary>
internal sealed record LiteDbBucketStorageOptions(
    string Path,
    bool FullSync = true,
    int FlushOps = 2_000,
    int FlushBytes = 8 * 1024 * 1024,
    int ChecksumCacheEntries = 100_000) : BucketStorageOptions(Path, FullSync, FlushOps, FlushBytes, ChecksumCacheEntries);
