namespace PowerSync.Core.Admin;

/// <summary>A replication slot at the source, as <c>pg_replication_slots</c> and <c>pg_stat_replication</c> report it.</summary>
/// <param name="Name">The slot.</param>
/// <param name="Exists">Whether it exists (a processing version's slot appears when its replication starts; a retired one's goes when dropped).</param>
/// <param name="Active">Whether a replication connection streams from it now.</param>
/// <param name="WalStatus"><c>reserved</c>, <c>extended</c>, <c>unreserved</c> or <c>lost</c> (Postgres removed WAL it needs: the version re-snapshots).</param>
/// <param name="ConfirmedFlushLsn">What replication has confirmed as durable in the store.</param>
/// <param name="RetainedWalBytes">WAL Postgres keeps on disk for this slot.</param>
/// <param name="LagBytes">WAL the source wrote after the confirmed position (zero when caught up).</param>
/// <param name="Lag">How long ago the source wrote what was last confirmed, while the slot streams (Postgres' <c>flush_lag</c>; null when idle or not streaming).</param>
public sealed record ReplicationSlotStatus(
    string Name,
    bool Exists,
    bool Active,
    string? WalStatus,
    string? ConfirmedFlushLsn,
    long? RetainedWalBytes,
    long? LagBytes,
    TimeSpan? Lag);
