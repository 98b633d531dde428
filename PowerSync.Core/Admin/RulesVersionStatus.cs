namespace PowerSync.Core.Admin;

/// <summary>A stored sync-rules version: its state, how far it replicated, and its replication slot.</summary>
/// <param name="Id">The version id (the <c>&lt;id&gt;#</c> prefix of versioned bucket ids, and in its slot's name).</param>
/// <param name="State"><c>processing</c> (replicating in the background, not served yet), <c>active</c> (served),
/// <c>stopped</c> (replaced, its data being removed) or <c>terminated</c> (history).</param>
/// <param name="SnapshotDone">Whether its initial snapshot finished.</param>
/// <param name="CheckpointOpId">Its last checkpoint's op id; null before the first.</param>
/// <param name="CheckpointLsn">The source position of that checkpoint.</param>
/// <param name="ResumeLsn">The last source position whose data is durable in the store (replication resumes from it).</param>
/// <param name="SlotName">Its replication slot; null once a retired version's slot was dropped.</param>
/// <param name="Slot">The slot at the source; null when the source was not queried or the version names no slot.</param>
public sealed record RulesVersionStatus(
    long Id,
    string State,
    bool SnapshotDone,
    long? CheckpointOpId,
    string? CheckpointLsn,
    string? ResumeLsn,
    string? SlotName,
    ReplicationSlotStatus? Slot);
