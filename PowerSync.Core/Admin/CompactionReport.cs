namespace PowerSync.Core.Admin;

/// <summary>
/// What a compaction of the bucket store did (<see cref="PowerSyncAdmin.CompactAsync"/>): superseded PUT/REMOVE ops
/// became MOVE, and each bucket's leading run of non-PUT ops became one CLEAR. No bucket checksum changed.
/// </summary>
/// <param name="RulesVersion">The active version compacted (up to its latest checkpoint); null when the store has no checkpoint yet.</param>
/// <param name="BucketsScanned">Buckets compacted.</param>
/// <param name="OpsScanned">PUT and REMOVE ops read.</param>
/// <param name="OpsMoved">Ops turned into MOVE (their row data dropped).</param>
/// <param name="OpsCleared">Ops removed by merging leading runs into CLEAR ops.</param>
/// <param name="Duration">How long it took.</param>
public sealed record CompactionReport(long? RulesVersion, long BucketsScanned, long OpsScanned, long OpsMoved, long OpsCleared, TimeSpan Duration);
