using PowerSync.Core.Hosting;

namespace PowerSync.Core.Admin;

/// <summary>How a bucket store and its replication stand (<see cref="PowerSyncAdmin.StatusAsync"/>).</summary>
/// <param name="StorePath">The store's file (full path).</param>
/// <param name="Engine">What it is built on.</param>
/// <param name="StoreBytes">Bytes on disk: the file and its companions (SQLite <c>-wal</c> and <c>-shm</c>, LiteDB <c>-log</c>).</param>
/// <param name="Versions">Every sync-rules version stored, oldest first.</param>
/// <param name="SourceWalLsn">Where the source's WAL is now; null when the source was not queried.</param>
/// <param name="SourceError">Why the source could not be queried (the slots are then unknown), or null.</param>
public sealed record StoreStatus(
    string StorePath,
    BucketStorageEngine Engine,
    long StoreBytes,
    IReadOnlyList<RulesVersionStatus> Versions,
    string? SourceWalLsn,
    string? SourceError);
